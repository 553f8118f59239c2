/* The single-failure sweep's loop (`SingleFailures._sweep`, analysis/single.py) in C.
 *
 * The sweep visits every fault-graph node once, in build order: a million elements make
 * a few million nodes, and nine in ten are two-input gates over small plain sets (an
 * element on its rack and power, a link on its two ends, a host's way out). The Python
 * loop spends most of its time on the loop itself; this one makes the same decisions
 * without a Python frame per node:
 *
 * - a node already known is skipped;
 * - a REACH node, or one with an input further down the order, is handed to `resolve`;
 * - a two-input `all` gate over two small plain frozensets is their union (and `own`),
 *   one of them itself when it holds the other; over an input that is DOWN (None), DOWN;
 * - a two-input `any` gate with no element of its own over two small plain frozensets is
 *   their intersection (the shared empty set when either is empty or they share nothing);
 * - every other gate is handed to `combine(gate, inputs)`, which Python decides.
 *
 * "Small" is below `share_from` (larger sets are `Shared`, never plain frozensets here).
 * Everything that is not one of these common cases goes back to the same Python code the
 * loop in Python calls, so the values are those it makes: tests/analysis/test_csweep.py
 * holds the two loops to the same values for every node.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *union_name = NULL;

/* `_both` in single.py: a two-input `all` gate's set over two small plain frozensets. */
static PyObject *both(PyObject *a, PyObject *b, PyObject *own) {
    if (PySet_GET_SIZE(b) < PySet_GET_SIZE(a)) {
        PyObject *t = a;
        a = b;
        b = t;
    }
    int holds = 1;
    if (PySet_GET_SIZE(a)) {
        PyObject *le = PyObject_RichCompare(a, b, Py_LE);
        if (le == NULL)
            return NULL;
        holds = PyObject_IsTrue(le);
        Py_DECREF(le);
        if (holds < 0)
            return NULL;
    }
    if (holds) {
        if (own == Py_None) {
            Py_INCREF(b);
            return b;
        }
        int in = PySet_Contains(b, own);
        if (in < 0)
            return NULL;
        if (in) {
            Py_INCREF(b);
            return b;
        }
        PyObject *one = PySet_New(NULL);
        if (one == NULL || PySet_Add(one, own) < 0) {
            Py_XDECREF(one);
            return NULL;
        }
        PyObject *out = PyNumber_Or(b, one);
        Py_DECREF(one);
        return out;
    }
    if (own == Py_None)
        return PyNumber_Or(a, b);
    PyObject *one = PyFrozenSet_New(NULL);
    if (one == NULL || PySet_Add(one, own) < 0) {
        Py_XDECREF(one);
        return NULL;
    }
    PyObject *out = PyObject_CallMethodObjArgs(one, union_name, a, b, NULL);
    Py_DECREF(one);
    return out;
}

/* A two-input gate's value when it is one of the common cases (a new reference), or
 * NULL with no error set when `combine` must decide it. */
static PyObject *two(PyObject *op, PyObject *a, PyObject *b, PyObject *own, PyObject *can_fail,
                     Py_ssize_t share_from, PyObject *empty, PyObject *all, PyObject *any) {
    int is_all = PyObject_RichCompareBool(op, all, Py_EQ);
    if (is_all < 0)
        return NULL;
    if (a == Py_None || b == Py_None) {
        if (is_all)
            Py_RETURN_NONE;
        return NULL;
    }
    if (!PyFrozenSet_CheckExact(a) || !PyFrozenSet_CheckExact(b) || PySet_GET_SIZE(a) >= share_from ||
        PySet_GET_SIZE(b) >= share_from)
        return NULL;
    if (own != Py_None) {
        PyObject *may = PyObject_GetItem(can_fail, own);
        if (may == NULL)
            return NULL;
        int fails = PyObject_IsTrue(may);
        Py_DECREF(may);
        if (fails < 0)
            return NULL;
        if (!fails)
            own = Py_None;
    }
    if (is_all)
        return both(a, b, own);
    int is_any = PyObject_RichCompareBool(op, any, Py_EQ);
    if (is_any < 0)
        return NULL;
    if (!is_any || own != Py_None)
        return NULL;
    if (PySet_GET_SIZE(a) && PySet_GET_SIZE(b)) {
        PyObject *out = PyNumber_And(a, b);
        if (out == NULL || PySet_GET_SIZE(out))
            return out;
        Py_DECREF(out); /* two sets with nothing in common: the shared empty set, not one more */
    }
    Py_INCREF(empty);
    return empty;
}

/* The inputs' values as a list, or NULL with no error set when one is not known yet. */
static PyObject *known_inputs(PyObject *values, PyObject *ins) {
    Py_ssize_t n = PyTuple_GET_SIZE(ins);
    PyObject *list = PyList_New(n);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyDict_GetItemWithError(values, PyTuple_GET_ITEM(ins, i));
        if (v == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        Py_INCREF(v);
        PyList_SET_ITEM(list, i, v);
    }
    return list;
}

/* One node: its value set in `values` (by us, `resolve` or `combine`); -1 on error. */
static int visit(PyObject *node, PyObject *gate, PyObject *values, PyObject *can_fail, Py_ssize_t share_from,
                 PyObject *empty, PyObject *reach, PyObject *all, PyObject *any, PyObject *resolve,
                 PyObject *combine) {
    if (!PyTuple_Check(gate) || PyTuple_GET_SIZE(gate) != 4 || !PyTuple_Check(PyTuple_GET_ITEM(gate, 1))) {
        PyErr_SetString(PyExc_TypeError, "a gate is a 4-tuple (op, inputs, k, own)");
        return -1;
    }
    PyObject *op = PyTuple_GET_ITEM(gate, 0), *ins = PyTuple_GET_ITEM(gate, 1), *own = PyTuple_GET_ITEM(gate, 3);
    int is_reach = PyObject_RichCompareBool(op, reach, Py_EQ);
    if (is_reach < 0)
        return -1;
    PyObject *value = NULL, *inputs = NULL;
    if (!is_reach && PyTuple_GET_SIZE(ins) == 2) { /* most gates: decided without a list of the inputs */
        PyObject *a = PyDict_GetItemWithError(values, PyTuple_GET_ITEM(ins, 0));
        PyObject *b = a == NULL ? NULL : PyDict_GetItemWithError(values, PyTuple_GET_ITEM(ins, 1));
        if (b == NULL && PyErr_Occurred())
            return -1;
        if (b != NULL) {
            value = two(op, a, b, own, can_fail, share_from, empty, all, any);
            if (value == NULL) {
                if (PyErr_Occurred() || (inputs = PyList_New(2)) == NULL)
                    return -1;
                Py_INCREF(a);
                Py_INCREF(b);
                PyList_SET_ITEM(inputs, 0, a);
                PyList_SET_ITEM(inputs, 1, b);
            }
        }
    } else if (!is_reach) {
        inputs = known_inputs(values, ins);
        if (inputs == NULL && PyErr_Occurred())
            return -1;
    }
    if (value == NULL && inputs == NULL) { /* REACH, or an input further down the order */
        PyObject *r = PyObject_CallOneArg(resolve, node);
        Py_XDECREF(r);
        return r == NULL ? -1 : 0;
    }
    if (value == NULL) {
        value = PyObject_CallFunctionObjArgs(combine, gate, inputs, NULL);
        Py_DECREF(inputs);
        if (value == NULL)
            return -1;
    }
    int failed = PyDict_SetItem(values, node, value);
    Py_DECREF(value);
    return failed;
}

static PyObject *sweep(PyObject *self, PyObject *args) {
    PyObject *gates, *values, *can_fail, *empty, *reach, *all, *any, *resolve, *combine;
    Py_ssize_t share_from;
    if (!PyArg_ParseTuple(args, "O!O!OnOOOOOO:sweep", &PyDict_Type, &gates, &PyDict_Type, &values, &can_fail,
                          &share_from, &empty, &reach, &all, &any, &resolve, &combine))
        return NULL;
    Py_ssize_t pos = 0, size = PyDict_GET_SIZE(gates);
    PyObject *node, *gate;
    while (PyDict_Next(gates, &pos, &node, &gate)) {
        int known = PyDict_Contains(values, node);
        if (known < 0)
            return NULL;
        if (known)
            continue;
        Py_INCREF(node); /* borrowed from `gates`, which the callbacks could change */
        Py_INCREF(gate);
        int failed = visit(node, gate, values, can_fail, share_from, empty, reach, all, any, resolve, combine);
        Py_DECREF(node);
        Py_DECREF(gate);
        if (failed)
            return NULL;
        if (PyDict_GET_SIZE(gates) != size) {
            PyErr_SetString(PyExc_RuntimeError, "dictionary changed size during iteration");
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

/* `presized(n)`: an empty dict with room for n keys, so that the sweep's million inserts
 * never resize it (each resize rebuilds the table on fresh memory). */
static PyObject *presized(PyObject *self, PyObject *arg) {
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n < 0) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "a dict's size is at least 0");
        return NULL;
    }
#if PY_VERSION_HEX < 0x030D0000
    return _PyDict_NewPresized(n);
#else /* private to the interpreter from 3.13: a dict that grows as it fills */
    return PyDict_New();
#endif
}

static PyMethodDef methods[] = {
    {"sweep", sweep, METH_VARARGS, "Every fault-graph node's single-failure set, in build order."},
    {"presized", presized, METH_O, "An empty dict with room for n keys."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_csweep", "The single-failure sweep's loop in C.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__csweep(void) {
    union_name = PyUnicode_InternFromString("union");
    if (union_name == NULL)
        return NULL;
    return PyModule_Create(&module);
}
