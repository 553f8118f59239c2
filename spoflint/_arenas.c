/* Python's object arenas on transparent huge pages, for the `spoflint` program.
 *
 * A large check is millions of small objects (2 GB at 1M elements) read in no order the
 * caches can follow: on 4 KiB pages, most reads miss the address translation cache too,
 * and first touching each page is a page fault, system time. `install` gives pymalloc an
 * arena allocator that carves its arenas (1 MiB) out of 64 MiB regions aligned to 2 MiB
 * and marked MADV_HUGEPAGE, so the kernel backs them with 2 MiB pages where it can (on
 * Linux, `madvise` mode, the default, and `always`; elsewhere the mark is a no-op).
 * The first SMALL arenas (256 MiB) are mapped as usual: a huge page is zeroed whole on
 * first touch, which only pays once the objects are many (measured: 100k elements, 160
 * arenas, no faster on huge pages; 1M elements, 2,000 arenas, 16 % faster).
 *
 * Freed arenas go to a free list for the next ones, never back to the kernel: the
 * program exits when its check is done. Only `spoflint`'s own process installs it
 * (`__main__`), never a library caller's. Arenas of another size, and those made before
 * the install, are mapped and unmapped as Python's own allocator does.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <sys/mman.h>

#define REGION ((size_t)64 << 20)
#define HUGE_PAGE ((size_t)2 << 20)
#define MAX_REGIONS 4096 /* 256 GiB of arenas */
#define SMALL 256        /* arenas mapped as usual first: a check under 256 MiB never pays for huge pages */

static uintptr_t regions[MAX_REGIONS];
static int region_count = 0;
static char *next_free = NULL, *region_end = NULL;
static void *spare = NULL; /* freed arenas, linked through their first word */
static size_t arena_size = 0; /* pymalloc's, from its first request */
static int installed = 0;
static Py_ssize_t mapped = 0, served = 0, reused = 0;

static void *map(size_t size) {
    void *at = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return at == MAP_FAILED ? NULL : at;
}

/* A new region, aligned to a huge page; 0 when the kernel has none to give. */
static int new_region(void) {
    if (region_count == MAX_REGIONS)
        return 0;
    char *at = map(REGION + HUGE_PAGE);
    if (at == NULL)
        return 0;
    uintptr_t start = ((uintptr_t)at + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (start > (uintptr_t)at) /* the unaligned head and tail back to the kernel */
        munmap(at, start - (uintptr_t)at);
    munmap((char *)start + REGION, (uintptr_t)at + HUGE_PAGE - start);
#ifdef MADV_HUGEPAGE
    madvise((void *)start, REGION, MADV_HUGEPAGE);
#endif
    regions[region_count++] = start;
    next_free = (char *)start;
    region_end = next_free + REGION;
    return 1;
}

static int in_regions(void *pointer) {
    uintptr_t at = (uintptr_t)pointer;
    for (int i = region_count - 1; i >= 0; i--)
        if (at >= regions[i] && at < regions[i] + REGION)
            return 1;
    return 0;
}

static void *allocate(void *context, size_t size) {
    (void)context;
    if (arena_size == 0 && size <= REGION && REGION % size == 0)
        arena_size = size;
    if (size != arena_size || mapped < SMALL) {
        mapped += size == arena_size;
        return map(size);
    }
    if (spare != NULL) {
        void *arena = spare;
        spare = *(void **)arena;
        reused++;
        return arena;
    }
    if ((next_free == NULL || next_free + size > region_end) && !new_region())
        return map(size);
    void *arena = next_free;
    next_free += size;
    served++;
    return arena;
}

static void release(void *context, void *pointer, size_t size) {
    (void)context;
    if (size == arena_size && in_regions(pointer)) {
        *(void **)pointer = spare;
        spare = pointer;
    } else {
        munmap(pointer, size);
    }
}

static PyObject *install(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    if (!installed) {
        PyObjectArenaAllocator allocator = {NULL, allocate, release};
        PyObject_SetArenaAllocator(&allocator);
        installed = 1;
    }
    Py_RETURN_NONE;
}

static PyObject *counts(PyObject *module, PyObject *unused) {
    (void)module;
    (void)unused;
    return Py_BuildValue("{s:n,s:n,s:n,s:i,s:n}", "mapped", mapped, "served", served, "reused", reused, "regions",
                         region_count, "arena", (Py_ssize_t)arena_size);
}

static PyMethodDef methods[] = {
    {"install", install, METH_NOARGS, "install(): pymalloc's arenas from huge-page regions, from now on"},
    {"counts", counts, METH_NOARGS, "arenas mapped as usual, served from regions, reused; regions; the arena size"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "_arenas", NULL, -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__arenas(void) { return PyModule_Create(&definition); }
