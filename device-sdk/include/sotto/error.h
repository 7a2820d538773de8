/* sotto device SDK: the one error type every SDK call returns. */
#ifndef SOTTO_ERROR_H
#define SOTTO_ERROR_H

#include "sotto/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* SOTTO_OK is 0; every failure is negative and names one distinct cause. Ranges are reserved
 * per area so that a value keeps its meaning as areas grow. */
typedef enum sotto_err {
  SOTTO_OK = 0,

  /* General (-1 .. -19) */
  SOTTO_ERR_INVALID_ARGUMENT = -1, /* a NULL pointer, an unknown enum value, a field out of range */
  SOTTO_ERR_BUFFER_TOO_SMALL = -2, /* the caller's buffer cannot hold the result */
  SOTTO_ERR_ENCODE = -3,           /* nanopb could not encode the message */
  SOTTO_ERR_DECODE = -4,           /* bytes from outside are not a valid message */
  SOTTO_ERR_QUEUE_EMPTY = -5,      /* nothing is waiting to be sent */
  SOTTO_ERR_TRANSPORT = -6,        /* the link did not confirm delivery; try again later */
  SOTTO_ERR_STORAGE = -7,          /* the storage port failed to read, write or erase */
  SOTTO_ERR_NOT_CONFIGURED = -8,   /* a required port or setting was not given */
  SOTTO_ERR_UNHANDLED_TOPIC = -9,  /* an incoming message on a topic nothing handles (yet) */
  SOTTO_ERR_PENDING = -10,         /* not finished yet (a publish awaiting its acknowledgement) */

  /* Model loading and inference (-20 .. -39) */
  SOTTO_ERR_MODEL_TRUNCATED = -20,       /* the blob is shorter than its header says */
  SOTTO_ERR_MODEL_BAD_MAGIC = -21,       /* not a .smdl blob */
  SOTTO_ERR_MODEL_VERSION = -22,         /* a .smdl format version this runtime does not read */
  SOTTO_ERR_MODEL_DIGEST = -23,          /* the blob's digest does not match its bytes */
  SOTTO_ERR_MODEL_BAD_LAYOUT = -24,      /* a table or section lies outside the blob */
  SOTTO_ERR_MODEL_BAD_TENSOR = -25,      /* a tensor's shape, size or arena range is invalid */
  SOTTO_ERR_MODEL_BAD_OP = -26,          /* an operator's tensors or parameters are invalid */
  SOTTO_ERR_MODEL_BAD_CONSTANTS = -27,   /* weights/bias/multipliers outside the data section */
  SOTTO_ERR_MODEL_SHAPE_MISMATCH = -28,  /* an operator's shapes do not fit together */
  SOTTO_ERR_MODEL_UNSUPPORTED_OP = -29,  /* an op kind unknown or not linked into this build */
  SOTTO_ERR_MODEL_MISALIGNED = -30,      /* blob or arena not 4-byte aligned */
  SOTTO_ERR_MODEL_ARENA_TOO_SMALL = -31, /* arena smaller than sotto_model_arena_bytes */
  SOTTO_ERR_MODEL_NO_ARENA = -32,        /* no arena attached yet */
  SOTTO_ERR_MODEL_NO_SUCH_TENSOR = -33,  /* an input or output index beyond the model's count */

  /* Over-the-air updates (-40 .. -59) */
  SOTTO_ERR_OTA_BAD_SIGNATURE = -40,      /* the manifest's signature does not verify */
  SOTTO_ERR_OTA_WRONG_KEY = -41,          /* signed by a key this device does not trust */
  SOTTO_ERR_OTA_DIGEST_MISMATCH = -42,    /* the stored model's SHA-256 differs from the manifest */
  SOTTO_ERR_OTA_VERSION_NOT_NEWER = -43,  /* version <= the anti-rollback counter (model or keys) */
  SOTTO_ERR_OTA_WRONG_DEVICE_CLASS = -44, /* the manifest is for another device class */
  SOTTO_ERR_OTA_SELF_TEST_FAILED = -45,   /* the model's output on the self-test vector differs */
  SOTTO_ERR_OTA_TOO_LARGE = -46,          /* the model does not fit a slot (or the progress log) */
  SOTTO_ERR_OTA_STORAGE = -47,            /* a slot or the update state could not be written */
  SOTTO_ERR_OTA_SDK_TOO_OLD = -48,        /* the manifest needs a newer SDK */
  SOTTO_ERR_OTA_BAD_MANIFEST = -49,       /* undecodable or inconsistent manifest, offer or chunk */
  SOTTO_ERR_OTA_NO_UPDATE = -50,          /* no update in progress, or no verified active model */
  SOTTO_ERR_OTA_OUT_OF_ORDER = -51,       /* a chunk beyond the next expected offset */
  SOTTO_ERR_OTA_SLOT_NOT_MAPPED = -52,    /* the model self-test needs the slot mapped in place */
  SOTTO_ERR_OTA_KEY_REVOKED = -53,        /* signed by a key a key rotation retired */
  SOTTO_ERR_OTA_KEY_LIST_FULL = -54,      /* a rotation adds a key to a full list, retiring none */

  /* TLS in firmware ports (-60 .. -69) */
  SOTTO_ERR_TLS_WANT_IO = -60,     /* waiting for the transport: call again once bytes moved */
  SOTTO_ERR_TLS_HANDSHAKE = -61,   /* the handshake failed (protocol, alert, or no common suite) */
  SOTTO_ERR_TLS_PEER_CERT = -62,   /* the peer's certificate does not chain to the CA or name */
  SOTTO_ERR_TLS_CLOSED = -63,      /* the peer closed the connection */
  SOTTO_ERR_TLS_CREDENTIALS = -64, /* our CA, certificate or key did not parse or match */

  SOTTO_ERR_LAST_ = -127
} sotto_err_t;

/* A stable, human-readable name such as "SOTTO_ERR_DECODE"; never NULL. */
const char *sotto_err_name(sotto_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_ERROR_H */
