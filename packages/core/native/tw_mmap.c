/*
 * tw_mmap: a file mapped into memory for the journal log (`src/state/log-segment.ts`), so an
 * order intent's frame is durable against a crash of the process by a memory copy instead of a
 * write(2) (~2 µs per intent on the engine's thread). Bytes stored into a shared file mapping are
 * in the kernel's page cache as they are stored: they outlive the process exactly as a finished
 * write(2) does (neither survives a power cut without an fsync).
 *
 *   map(fd, size) -> ArrayBuffer   reserves `size` bytes of disk for the file (posix_fallocate: a
 *                                  full disk fails here with ENOSPC, never later as SIGBUS on a
 *                                  store into the mapping) and maps them shared, read-write
 *   unmap(buffer)                  detaches the buffer (JavaScript can no longer reach the memory)
 *                                  and unmaps it now
 *
 * The buffer has no finalizer: a mapping is released by `unmap` only (never twice, never while
 * reachable). A Node-API addon in C, built at install by scripts/build-native.mjs; POSIX only.
 * macOS has no posix_fallocate: the file is extended with ftruncate there, so a disk that fills
 * up can end the process on a store into the mapping (SIGBUS), as a crash would: the frame being
 * stored is lost before its order is sent, and recovery runs at the next start.
 */
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static napi_value throwErrno(napi_env env, const char *what, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, err == ENOSPC ? "ENOSPC" : "EIO", msg);
  return NULL;
}

/* marks the buffers `map` returns: `unmap` refuses any other (it would unmap memory V8 owns) */
static const napi_type_tag MAPPED = { 0x74776d6d61700001ULL, 0x6a6f75726e616c00ULL };

static napi_value Map(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) {
    napi_throw_type_error(env, NULL, "map(fd, size)");
    return NULL;
  }
  int32_t fd;
  int64_t size;
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int64(env, argv[1], &size) != napi_ok || size <= 0) {
    napi_throw_type_error(env, NULL, "map(fd, size): an open file descriptor and a positive size");
    return NULL;
  }
#ifdef __APPLE__
  if (ftruncate(fd, (off_t)size) != 0) return throwErrno(env, "ftruncate", errno);
#else
  int err = posix_fallocate(fd, 0, (off_t)size);
  if (err != 0) return throwErrno(env, "posix_fallocate", err);
#endif
  void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return throwErrno(env, "mmap", errno);
  napi_value buffer;
  if (napi_create_external_arraybuffer(env, p, (size_t)size, NULL, NULL, &buffer) != napi_ok || napi_type_tag_object(env, buffer, &MAPPED) != napi_ok) {
    munmap(p, (size_t)size);
    napi_throw_error(env, NULL, "cannot wrap the mapping in an ArrayBuffer");
    return NULL;
  }
  return buffer;
}

static napi_value Unmap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p;
  size_t size;
  bool detached;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 1 ||
      napi_is_detached_arraybuffer(env, argv[0], &detached) != napi_ok) {
    napi_throw_type_error(env, NULL, "unmap(buffer)");
    return NULL;
  }
  if (detached) return NULL; /* already unmapped */
  bool mapped = false;
  if (napi_check_object_type_tag(env, argv[0], &MAPPED, &mapped) != napi_ok || !mapped) {
    napi_throw_type_error(env, NULL, "unmap(buffer): not a buffer returned by map()");
    return NULL;
  }
  if (napi_get_arraybuffer_info(env, argv[0], &p, &size) != napi_ok || napi_detach_arraybuffer(env, argv[0]) != napi_ok) {
    napi_throw_type_error(env, NULL, "unmap(buffer): not a mapped buffer");
    return NULL;
  }
  if (munmap(p, size) != 0) return throwErrno(env, "munmap", errno);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "map", NAPI_AUTO_LENGTH, Map, NULL, &fn);
  napi_set_named_property(env, exports, "map", fn);
  napi_create_function(env, "unmap", NAPI_AUTO_LENGTH, Unmap, NULL, &fn);
  napi_set_named_property(env, exports, "unmap", fn);
  return exports;
}
