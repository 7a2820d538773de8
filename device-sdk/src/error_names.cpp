// Names for sotto_err_t values, for logs and test messages.
#include "sotto/error.h"

extern "C" const char *sotto_err_name(sotto_err_t err) {
  switch (err) {
    case SOTTO_OK: return "SOTTO_OK";
    case SOTTO_ERR_INVALID_ARGUMENT: return "SOTTO_ERR_INVALID_ARGUMENT";
    case SOTTO_ERR_BUFFER_TOO_SMALL: return "SOTTO_ERR_BUFFER_TOO_SMALL";
    case SOTTO_ERR_ENCODE: return "SOTTO_ERR_ENCODE";
    case SOTTO_ERR_DECODE: return "SOTTO_ERR_DECODE";
    case SOTTO_ERR_QUEUE_EMPTY: return "SOTTO_ERR_QUEUE_EMPTY";
    case SOTTO_ERR_TRANSPORT: return "SOTTO_ERR_TRANSPORT";
    case SOTTO_ERR_STORAGE: return "SOTTO_ERR_STORAGE";
    case SOTTO_ERR_NOT_CONFIGURED: return "SOTTO_ERR_NOT_CONFIGURED";
    case SOTTO_ERR_UNHANDLED_TOPIC: return "SOTTO_ERR_UNHANDLED_TOPIC";
    case SOTTO_ERR_LAST_: break;
  }
  return "SOTTO_ERR_UNKNOWN";
}
