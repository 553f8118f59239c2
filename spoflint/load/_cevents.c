/* The builder's common case in C: MarkedMaps, MarkedLists and scalars straight from
 * libyaml's events, with no Python object per event.
 *
 * `build` does what `events._build` does for the texts that need none of its rare paths,
 * and gives up (returns None) at the first thing that would need one: an anchor, an
 * alias, a tag, a merge key (`<<`), a duplicate key, a mapping or list as a key, nesting
 * past the limit, a plain scalar whose resolution fails, any error of libyaml's. The
 * Python builder then reads the text anew and says what is wrong where, or handles what
 * this one does not; tests/load/test_cevents.py holds the two to the same documents,
 * positions and spans. The differences are of identity only: keys and short text are
 * interned (SHORT: a dict lookup by a reference then matches its key on identity), and
 * a line number used twice in a row is one int object.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    PyObject *container; /* MarkedMap or MarkedList; for the stream, the list of roots */
    PyObject *where;     /* its `where`: dict of key -> 4 ints, or list of 2 ints */
    PyObject *key;       /* a mapping's pending key; NULL: it waits for one */
    PyObject *key_line;
    PyObject *key_column;
    int is_map;
    yaml_mark_t start;
} Frame;

typedef struct {
    long number;
    PyObject *object;
} LastNumber;

static PyObject *s_path, *s_line, *s_column, *s_where;

/* A new reference to the int `n`, reusing the last one made when it is the same. */
static PyObject *number(LastNumber *last, long n) {
    if (last->object == NULL || last->number != n) {
        PyObject *made = PyLong_FromLong(n);
        if (made == NULL)
            return NULL;
        Py_XDECREF(last->object);
        last->object = made;
        last->number = n;
    }
    Py_INCREF(last->object);
    return last->object;
}

/* A new tuple of the given ints (line and column pairs, 1-based or as given). */
static PyObject *ints(LastNumber *lines, int count, const long *values) {
    PyObject *tuple = PyTuple_New(count);
    if (tuple == NULL)
        return NULL;
    for (int i = 0; i < count; i++) {
        PyObject *item = (i % 2 == 0) ? number(lines, values[i]) : PyLong_FromLong(values[i]);
        if (item == NULL) {
            Py_DECREF(tuple);
            return NULL;
        }
        PyTuple_SET_ITEM(tuple, i, item);
    }
    return tuple;
}

static void clear_frame(Frame *frame) {
    Py_CLEAR(frame->container);
    Py_CLEAR(frame->where);
    Py_CLEAR(frame->key);
    Py_CLEAR(frame->key_line);
    Py_CLEAR(frame->key_column);
}

/* Set one attribute of a new container, giving up the reference to `value`. */
static int set_attr(PyObject *container, PyObject *name, PyObject *value) {
    if (value == NULL)
        return -1;
    int done = PyObject_SetAttr(container, name, value);
    Py_DECREF(value);
    return done;
}

enum { OK = 0, FAIL = -1, GIVE_UP = 1 };

/* Attach a finished value (the reference is taken) to the container of `top`, as the
 * Python builder does at the end of its loop. */
static int attach(Frame *top, PyObject *value, yaml_mark_t mark, LastNumber *lines) {
    int result = FAIL;
    if (!top->is_map) {
        long at[2] = {(long)mark.line + 1, (long)mark.column + 1};
        PyObject *position = ints(lines, 2, at);
        if (position != NULL && PyList_Append(top->container, value) == 0 && PyList_Append(top->where, position) == 0)
            result = OK;
        Py_XDECREF(position);
        Py_DECREF(value);
        return result;
    }
    int seen = PyDict_Contains(top->container, top->key);
    if (seen != 0) { /* a duplicate key: the Python builder words it */
        Py_DECREF(value);
        return seen < 0 ? FAIL : GIVE_UP;
    }
    PyObject *value_line = number(lines, (long)mark.line + 1);
    PyObject *value_column = PyLong_FromLong((long)mark.column + 1);
    PyObject *position = PyTuple_New(4);
    if (value_line == NULL || value_column == NULL || position == NULL) {
        Py_XDECREF(value_line);
        Py_XDECREF(value_column);
        Py_XDECREF(position);
        Py_DECREF(value);
        return FAIL;
    }
    PyTuple_SET_ITEM(position, 0, top->key_line);
    PyTuple_SET_ITEM(position, 1, top->key_column);
    PyTuple_SET_ITEM(position, 2, value_line);
    PyTuple_SET_ITEM(position, 3, value_column);
    top->key_line = top->key_column = NULL;
    if (PyDict_SetItem(top->container, top->key, value) == 0 && PyDict_SetItem(top->where, top->key, position) == 0)
        result = OK;
    Py_DECREF(position);
    Py_DECREF(value);
    Py_CLEAR(top->key);
    return result;
}

typedef struct {
    PyObject *path, *map_type, *list_type, *resolvers, *cache, *plain, *spans;
    char first[128]; /* ASCII first characters a plain scalar needs resolving for */
    int empty;       /* whether an empty plain scalar does */
    int other;       /* whether a resolver starts with a character past ASCII */
} Settings;

#define SHORT 64 /* text up to this is interned as keys are: mostly ids naming a key (`from: [ups-0a]`) */

/* Whether a plain scalar (`text`, `length` bytes of UTF-8) may be other than text. */
static int resolvable(Settings *settings, const unsigned char *text, size_t length, PyObject *value) {
    if (length == 0)
        return settings->empty;
    if (text[0] < 128)
        return settings->first[text[0]];
    if (!settings->other)
        return 0;
    PyObject *first = PyUnicode_Substring(value, 0, 1);
    if (first == NULL)
        return -1;
    int found = PyDict_Contains(settings->resolvers, first);
    Py_DECREF(first);
    return found;
}

/* A scalar's value (a new reference; the one to `text` is taken): its text, or for a
 * plain one its YAML 1.1 meaning (the cache, then `plain`). NULL on an error, with
 * *give_up set when the Python builder must word it. */
static PyObject *scalar_value(Settings *settings, yaml_event_t *event, PyObject *text, int *give_up) {
    const unsigned char *bytes = event->data.scalar.value;
    size_t length = event->data.scalar.length;
    int maybe = event->data.scalar.plain_implicit ? resolvable(settings, bytes, length, text) : 0;
    if (maybe <= 0) {
        if (maybe < 0)
            Py_CLEAR(text);
        else if (length <= SHORT)
            PyUnicode_InternInPlace(&text); /* the key it names, as one object: see SHORT */
        return text;
    }
    PyObject *known = PyDict_GetItemWithError(settings->cache, text);
    if (known != NULL) {
        Py_INCREF(known);
        Py_DECREF(text);
        return known;
    }
    if (PyErr_Occurred()) {
        Py_DECREF(text);
        return NULL;
    }
    PyObject *meant = PyObject_CallOneArg(settings->plain, text);
    Py_DECREF(text);
    if (meant == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) { /* a number too large: worded in Python */
        PyErr_Clear();
        *give_up = 1;
    }
    return meant;
}

/* Note the span of a quoted or block scalar holding a `#` (comments.noting's rule). */
static int note_span(Settings *settings, yaml_event_t *event, LastNumber *lines) {
    yaml_scalar_style_t style = event->data.scalar.style;
    if (settings->spans == Py_None || style == YAML_PLAIN_SCALAR_STYLE ||
        memchr(event->data.scalar.value, '#', event->data.scalar.length) == NULL)
        return 0;
    yaml_mark_t start = event->start_mark, end = event->end_mark;
    int block = style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE;
    long span[4] = {(long)start.line + block, block ? 0 : (long)start.column, (long)end.line, (long)end.column};
    PyObject *tuple = ints(lines, 4, span);
    if (tuple == NULL)
        return -1;
    int done = PyList_Append(settings->spans, tuple);
    Py_DECREF(tuple);
    return done;
}

/* A new MarkedMap or MarkedList with its place and an empty `where`, as a frame. */
static int open_container(Settings *settings, Frame *frame, int is_map, yaml_mark_t mark, LastNumber *lines) {
    memset(frame, 0, sizeof(*frame));
    frame->is_map = is_map;
    frame->start = mark;
    frame->container = PyObject_CallNoArgs(is_map ? settings->map_type : settings->list_type);
    frame->where = is_map ? PyDict_New() : PyList_New(0);
    if (frame->container == NULL || frame->where == NULL)
        return -1;
    Py_INCREF(settings->path);
    Py_INCREF(frame->where);
    if (set_attr(frame->container, s_path, settings->path) < 0 ||
        set_attr(frame->container, s_line, number(lines, (long)mark.line + 1)) < 0 ||
        set_attr(frame->container, s_column, PyLong_FromLong((long)mark.column + 1)) < 0 ||
        set_attr(frame->container, s_where, frame->where) < 0)
        return -1;
    return 0;
}

/* One event, on the frames `frames[0..*depth]`. */
static int step(Settings *settings, yaml_event_t *event, Frame *frames, int *depth, int max_depth, PyObject *starts,
                LastNumber *lines) {
    Frame *top = &frames[*depth];
    int give_up = 0;
    switch (event->type) {
    case YAML_SCALAR_EVENT: {
        if (event->data.scalar.anchor != NULL || event->data.scalar.tag != NULL)
            return GIVE_UP;
        if (note_span(settings, event, lines) < 0)
            return FAIL;
        const char *bytes = (const char *)event->data.scalar.value;
        size_t length = event->data.scalar.length;
        PyObject *text = PyUnicode_DecodeUTF8(bytes, (Py_ssize_t)length, "strict");
        if (text == NULL)
            return FAIL;
        if (top->is_map && top->key == NULL) { /* a mapping key: the text as written */
            if (length == 2 && bytes[0] == '<' && bytes[1] == '<' && event->data.scalar.plain_implicit) {
                Py_DECREF(text);
                return GIVE_UP;
            }
            PyUnicode_InternInPlace(&text);
            top->key = text;
            top->key_line = number(lines, (long)event->start_mark.line + 1);
            top->key_column = PyLong_FromLong((long)event->start_mark.column + 1);
            return (top->key_line == NULL || top->key_column == NULL) ? FAIL : OK;
        }
        PyObject *value = scalar_value(settings, event, text, &give_up);
        if (value == NULL)
            return give_up ? GIVE_UP : FAIL;
        return attach(top, value, event->start_mark, lines);
    }
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        int is_map = event->type == YAML_MAPPING_START_EVENT;
        yaml_char_t *anchor = is_map ? event->data.mapping_start.anchor : event->data.sequence_start.anchor;
        yaml_char_t *tag = is_map ? event->data.mapping_start.tag : event->data.sequence_start.tag;
        if (anchor != NULL || tag != NULL || (top->is_map && top->key == NULL) || *depth >= max_depth)
            return GIVE_UP;
        *depth += 1;
        return open_container(settings, &frames[*depth], is_map, event->start_mark, lines) < 0 ? FAIL : OK;
    }
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT: {
        if (*depth == 0)
            return GIVE_UP;
        PyObject *value = top->container;
        yaml_mark_t mark = top->start;
        top->container = NULL;
        clear_frame(top);
        *depth -= 1;
        return attach(&frames[*depth], value, mark, lines);
    }
    case YAML_ALIAS_EVENT:
        return GIVE_UP;
    case YAML_DOCUMENT_START_EVENT: {
        long at[2] = {(long)event->start_mark.line + 1, (long)event->start_mark.column + 1};
        PyObject *start = ints(lines, 2, at);
        int done = start == NULL ? -1 : PyList_Append(starts, start);
        Py_XDECREF(start);
        return done < 0 ? FAIL : OK;
    }
    default: /* the stream's start and end, a document's end */
        return OK;
    }
}

/* Fill in which first characters of a plain scalar call for resolving. */
static int read_resolvers(Settings *settings) {
    PyObject *first, *unused;
    Py_ssize_t at = 0;
    memset(settings->first, 0, sizeof(settings->first));
    settings->empty = settings->other = 0;
    while (PyDict_Next(settings->resolvers, &at, &first, &unused)) {
        if (!PyUnicode_Check(first) || PyUnicode_GET_LENGTH(first) > 1)
            continue; /* never a scalar's first character */
        if (PyUnicode_GET_LENGTH(first) == 0)
            settings->empty = 1;
        else if (PyUnicode_READ_CHAR(first, 0) < 128)
            settings->first[PyUnicode_READ_CHAR(first, 0)] = 1;
        else
            settings->other = 1;
    }
    return 0;
}

/* The documents as (root, where the root starts, where the document starts). */
static PyObject *documents(PyObject *roots, PyObject *roots_at, PyObject *starts) {
    Py_ssize_t count = PyList_GET_SIZE(roots);
    if (PyList_GET_SIZE(starts) < count)
        count = PyList_GET_SIZE(starts);
    PyObject *result = PyList_New(count);
    for (Py_ssize_t i = 0; result != NULL && i < count; i++) {
        PyObject *document = PyTuple_Pack(3, PyList_GET_ITEM(roots, i), PyList_GET_ITEM(roots_at, i),
                                          PyList_GET_ITEM(starts, i));
        if (document == NULL)
            Py_CLEAR(result);
        else
            PyList_SET_ITEM(result, i, document);
    }
    return result;
}

static PyObject *build(PyObject *module, PyObject *args) {
    Py_buffer data;
    Settings settings;
    int max_depth;
    if (!PyArg_ParseTuple(args, "y*UOOO!O!OOi:build", &data, &settings.path, &settings.map_type, &settings.list_type,
                          &PyDict_Type, &settings.resolvers, &PyDict_Type, &settings.cache, &settings.plain,
                          &settings.spans, &max_depth))
        return NULL;
    if (settings.spans != Py_None && !PyList_Check(settings.spans)) {
        PyBuffer_Release(&data);
        PyErr_SetString(PyExc_TypeError, "spans is a list or None");
        return NULL;
    }
    PyObject *result = NULL;
    LastNumber lines = {0, NULL};
    int depth = 0, status = OK, done = 0;
    Frame *frames = PyMem_Calloc((size_t)max_depth + 1, sizeof(Frame));
    PyObject *starts = PyList_New(0);
    yaml_parser_t parser;
    int parsing = yaml_parser_initialize(&parser);
    if (frames == NULL || starts == NULL || !parsing || read_resolvers(&settings) < 0) {
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        status = FAIL;
    } else {
        frames[0].container = PyList_New(0);
        frames[0].where = PyList_New(0);
        if (frames[0].container == NULL || frames[0].where == NULL)
            status = FAIL;
        yaml_parser_set_input_string(&parser, data.buf, (size_t)data.len);
    }
    while (status == OK && !done) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) { /* the Python builder words libyaml's errors */
            status = GIVE_UP;
            break;
        }
        done = event.type == YAML_STREAM_END_EVENT;
        status = step(&settings, &event, frames, &depth, max_depth, starts, &lines);
        yaml_event_delete(&event);
    }
    if (status == OK)
        result = documents(frames[0].container, frames[0].where, starts);
    else if (status == GIVE_UP) {
        result = Py_None;
        Py_INCREF(result);
    }
    if (frames != NULL) {
        for (int i = 0; i <= depth; i++)
            clear_frame(&frames[i]);
        PyMem_Free(frames);
    }
    if (parsing)
        yaml_parser_delete(&parser);
    Py_XDECREF(starts);
    Py_XDECREF(lines.object);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef methods[] = {
    {"build", build, METH_VARARGS,
     "build(data, path, map_type, list_type, resolvers, cache, plain, spans, max_depth)\n"
     "The documents of a YAML text as events._build makes them, or None where it must."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "_cevents", NULL, -1, methods};

PyMODINIT_FUNC PyInit__cevents(void) {
    s_path = PyUnicode_InternFromString("path");
    s_line = PyUnicode_InternFromString("line");
    s_column = PyUnicode_InternFromString("column");
    s_where = PyUnicode_InternFromString("where");
    if (s_path == NULL || s_line == NULL || s_column == NULL || s_where == NULL)
        return NULL;
    return PyModule_Create(&definition);
}
