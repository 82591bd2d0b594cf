/* hdump/export.h: symbol visibility for the public API. */
#ifndef HDUMP_EXPORT_H
#define HDUMP_EXPORT_H

#if defined(HDUMP_STATIC_DEFINE)
#define HDUMP_API
#elif defined(_WIN32)
#if defined(HDUMP_BUILDING)
#define HDUMP_API __declspec(dllexport)
#else
#define HDUMP_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define HDUMP_API __attribute__((visibility("default")))
#else
#define HDUMP_API
#endif

#endif /* HDUMP_EXPORT_H */
