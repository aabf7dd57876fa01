#pragma once
// SY_ASSERT checks programmer errors in debug and sanitizer builds and costs nothing in release.
#include <cstdio>
#include <cstdlib>

#if defined(SY_ENABLE_ASSERT)
#define SY_ASSERT(cond)                                                                     \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)
#else
#define SY_ASSERT(cond) ((void)0)
#endif
