/* The network's whole-graph walks of a single-failure sweep in C (analysis/network.py,
 * analysis/single.py): the BFS tree from the entry points, Tarjan's low points on a
 * depth-first tree, each failure candidate's event (the network vertices it takes down)
 * and the search around an event that takes down a rack of the core. A 1M-element
 * estate's network is 150,000 vertices (its switches and the links between them), each
 * walked once or twice per check: the same dict and set operations as in Python,
 * without the interpreter's loop around each.
 *
 * Each function makes exactly what its Python twin makes, the same dicts and lists with
 * their keys in the same order, for the case the sweep asks: every vertex alive. The
 * Python code stays the reference, and the only code where something else is asked (a
 * vertex down, an adjacency that is not a dict):
 * tests/analysis/test_cnetwork.py holds the two to the same results.
 *
 * - `bfs_tree(adjacency, root)`: (parent, children), as `network.bfs_tree`;
 * - `separation(adjacency, root)`: (order, pre, low, children, end), as `Separation`;
 * - `events(vertices, parent, up)`: candidate -> set of vertices, as `single._events`;
 * - `reached_around(adjacency, root, parent, removed)`: what a search from the root
 *   reaches without `removed`, as `network.reached_around` (an event that takes down
 *   a rack of the core: one search of the whole network around it).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* adjacency[v] as a list or tuple (a new reference), or NULL with an error set. */
static PyObject *neighbours(PyObject *adjacency, PyObject *v) {
    PyObject *out = PyDict_GetItemWithError(adjacency, v);
    if (out == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, v);
        return NULL;
    }
    return PySequence_Fast(out, "a vertex's neighbours are a sequence");
}

/* children[v] = [], and that list (borrowed: `children` holds it), or NULL on error. */
static PyObject *no_children(PyObject *children, PyObject *v) {
    PyObject *list = PyList_New(0);
    if (list == NULL)
        return NULL;
    int failed = PyDict_SetItem(children, v, list);
    Py_DECREF(list);
    return failed ? NULL : list;
}

static PyObject *bfs_tree(PyObject *self, PyObject *args) {
    PyObject *adjacency, *root;
    if (!PyArg_ParseTuple(args, "O!O:bfs_tree", &PyDict_Type, &adjacency, &root))
        return NULL;
    PyObject *parent = PyDict_New(), *children = PyDict_New(), *queue = PyList_New(0), *kids = PyList_New(0);
    if (parent == NULL || children == NULL || queue == NULL || kids == NULL)
        goto fail;
    /* queue: the vertices in the order found; kids: each one's list of children */
    PyObject *first = no_children(children, root);
    if (first == NULL || PyDict_SetItem(parent, root, Py_None) < 0 || PyList_Append(queue, root) < 0 ||
        PyList_Append(kids, first) < 0)
        goto fail;
    for (Py_ssize_t head = 0; head < PyList_GET_SIZE(queue); head++) {
        PyObject *u = PyList_GET_ITEM(queue, head), *mine = PyList_GET_ITEM(kids, head);
        PyObject *around = neighbours(adjacency, u);
        if (around == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(around); i++) {
            PyObject *w = PySequence_Fast_GET_ITEM(around, i);
            int seen = PyDict_Contains(parent, w);
            if (seen < 0) {
                Py_DECREF(around);
                goto fail;
            }
            if (seen)
                continue;
            PyObject *theirs;
            if (PyDict_SetItem(parent, w, u) < 0 || PyList_Append(mine, w) < 0 ||
                (theirs = no_children(children, w)) == NULL || PyList_Append(queue, w) < 0 ||
                PyList_Append(kids, theirs) < 0) {
                Py_DECREF(around);
                goto fail;
            }
        }
        Py_DECREF(around);
    }
    Py_DECREF(queue);
    Py_DECREF(kids);
    return Py_BuildValue("(NN)", parent, children);
fail:
    Py_XDECREF(parent);
    Py_XDECREF(children);
    Py_XDECREF(queue);
    Py_XDECREF(kids);
    return NULL;
}

/* A vertex on the depth-first stack: its neighbours and how far through them, its
 * preorder number, its low point so far, and its list of children (borrowed). */
typedef struct {
    PyObject *v, *around, *kids;
    Py_ssize_t next, pre, low;
} Frame;

static int set_number(PyObject *dict, PyObject *key, Py_ssize_t n) {
    PyObject *number = PyLong_FromSsize_t(n);
    if (number == NULL)
        return -1;
    int failed = PyDict_SetItem(dict, key, number);
    Py_DECREF(number);
    return failed;
}

static PyObject *separation(PyObject *self, PyObject *args) {
    PyObject *adjacency, *root;
    if (!PyArg_ParseTuple(args, "O!O:separation", &PyDict_Type, &adjacency, &root))
        return NULL;
    Py_ssize_t room = 64, depth = 0;
    Frame *stack = PyMem_Malloc(room * sizeof(Frame));
    /* each vertex's parent is the frame below its own on the stack: no dict of them */
    PyObject *order = PyList_New(0), *pre = PyDict_New(), *low = PyDict_New(), *children = PyDict_New();
    PyObject *end = PyDict_New();
    if (stack == NULL || order == NULL || pre == NULL || low == NULL || children == NULL || end == NULL)
        goto fail;
    PyObject *kids = no_children(children, root);
    PyObject *around = kids == NULL ? NULL : neighbours(adjacency, root);
    if (around == NULL || PyList_Append(order, root) < 0 || set_number(pre, root, 0) < 0 ||
        set_number(low, root, 0) < 0) {
        Py_XDECREF(around);
        goto fail;
    }
    stack[depth++] = (Frame){root, around, kids, 0, 0, 0};
    while (depth) {
        Frame *top = &stack[depth - 1];
        PyObject *up = depth > 1 ? stack[depth - 2].v : Py_None;
        int pushed = 0;
        while (top->next < PySequence_Fast_GET_SIZE(top->around)) {
            PyObject *w = PySequence_Fast_GET_ITEM(top->around, top->next++);
            PyObject *seen = PyDict_GetItemWithError(pre, w);
            if (seen != NULL) {
                Py_ssize_t at = PyLong_AsSsize_t(seen);
                if (at == -1 && PyErr_Occurred())
                    goto fail;
                if (at < top->low) {
                    int other = w == up ? 0 : PyObject_RichCompareBool(w, up, Py_NE);
                    if (other < 0)
                        goto fail;
                    if (other)
                        top->low = at;
                }
                continue;
            }
            if (PyErr_Occurred())
                goto fail;
            Py_ssize_t number = PyList_GET_SIZE(order);
            PyObject *theirs;
            if (set_number(pre, w, number) < 0 || set_number(low, w, number) < 0 || PyList_Append(order, w) < 0 ||
                PyList_Append(top->kids, w) < 0 || (theirs = no_children(children, w)) == NULL)
                goto fail;
            PyObject *next_around = neighbours(adjacency, w);
            if (next_around == NULL)
                goto fail;
            if (depth == room) {
                Frame *grown = PyMem_Realloc(stack, 2 * room * sizeof(Frame));
                if (grown == NULL) {
                    Py_DECREF(next_around);
                    PyErr_NoMemory();
                    goto fail;
                }
                stack = grown;
                room *= 2;
            }
            stack[depth++] = (Frame){w, next_around, theirs, 0, number, number};
            pushed = 1;
            break;
        }
        if (pushed)
            continue;
        Frame done = stack[--depth]; /* every neighbour seen: its subtree ends here */
        Py_DECREF(done.around);
        if (set_number(end, done.v, PyList_GET_SIZE(order)) < 0 ||
            (done.low != done.pre && set_number(low, done.v, done.low) < 0))
            goto fail;
        if (depth && done.low < stack[depth - 1].low)
            stack[depth - 1].low = done.low;
    }
    PyMem_Free(stack);
    return Py_BuildValue("(NNNNN)", order, pre, low, children, end);
fail:
    if (stack != NULL) {
        while (depth)
            Py_DECREF(stack[--depth].around);
        PyMem_Free(stack);
    }
    Py_XDECREF(order);
    Py_XDECREF(pre);
    Py_XDECREF(low);
    Py_XDECREF(children);
    Py_XDECREF(end);
    return NULL;
}

static PyObject *events(PyObject *self, PyObject *args) {
    PyObject *vertices, *parent, *up;
    if (!PyArg_ParseTuple(args, "O!O!O!:events", &PyList_Type, &vertices, &PyDict_Type, &parent, &PyDict_Type, &up))
        return NULL;
    PyObject *out = PyDict_New();
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(vertices); i++) {
        PyObject *v = PyList_GET_ITEM(vertices, i);
        int reached = PyDict_Contains(parent, v);
        if (reached < 0)
            goto fail;
        if (!reached)
            continue;
        PyObject *value = PyDict_GetItemWithError(up, v);
        if (value == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetObject(PyExc_KeyError, v);
            goto fail;
        }
        if (value == Py_None) /* a reachable vertex is up: never DOWN, but as `or ()` reads it */
            continue;
        PyObject *each = PyObject_GetIter(value), *e;
        if (each == NULL)
            goto fail;
        while ((e = PyIter_Next(each)) != NULL) {
            PyObject *taken = PyDict_GetItemWithError(out, e);
            if (taken == NULL) {
                if (PyErr_Occurred() || (taken = PySet_New(NULL)) == NULL || PyDict_SetItem(out, e, taken) < 0) {
                    Py_XDECREF(taken);
                    Py_DECREF(e);
                    Py_DECREF(each);
                    goto fail;
                }
                Py_DECREF(taken); /* `out` holds it */
            }
            int failed = PySet_Add(taken, v);
            Py_DECREF(e);
            if (failed < 0) {
                Py_DECREF(each);
                goto fail;
            }
        }
        Py_DECREF(each);
        if (PyErr_Occurred())
            goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *reached_around(PyObject *self, PyObject *args) {
    PyObject *adjacency, *root, *parent, *removed;
    if (!PyArg_ParseTuple(args, "O!OOO:reached_around", &PyDict_Type, &adjacency, &root, &parent, &removed))
        return NULL;
    PyObject *seen = PySet_New(NULL), *queue = PyList_New(0);
    if (seen == NULL || queue == NULL || PySet_Add(seen, root) < 0 || PyList_Append(queue, root) < 0)
        goto fail;
    for (Py_ssize_t head = 0; head < PyList_GET_SIZE(queue); head++) {
        PyObject *around = neighbours(adjacency, PyList_GET_ITEM(queue, head));
        if (around == NULL)
            goto fail;
        for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(around); i++) {
            PyObject *w = PySequence_Fast_GET_ITEM(around, i);
            int skip = PySet_Contains(seen, w);
            if (skip == 0) {
                int in_tree = PySequence_Contains(parent, w);
                skip = in_tree < 0 ? -1 : !in_tree;
            }
            if (skip == 0)
                skip = PySequence_Contains(removed, w);
            if (skip == 0 && (PySet_Add(seen, w) < 0 || PyList_Append(queue, w) < 0))
                skip = -1;
            if (skip < 0) {
                Py_DECREF(around);
                goto fail;
            }
        }
        Py_DECREF(around);
    }
    Py_DECREF(queue);
    return seen;
fail:
    Py_XDECREF(seen);
    Py_XDECREF(queue);
    return NULL;
}

static PyMethodDef methods[] = {
    {"bfs_tree", bfs_tree, METH_VARARGS, "The BFS tree of every vertex from root: (parent, children)."},
    {"separation", separation, METH_VARARGS, "Low points on a DFS tree: (order, pre, low, children, end)."},
    {"events", events, METH_VARARGS, "Each candidate and the reachable vertices it takes down."},
    {"reached_around", reached_around, METH_VARARGS, "What a search from root reaches in the tree around removed."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_cnetwork", "The network's walks of a sweep in C.", -1,
                                    methods};

PyMODINIT_FUNC PyInit__cnetwork(void) { return PyModule_Create(&module); }
