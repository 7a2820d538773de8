/* sotto device SDK: the one error type every SDK call returns. */
#ifndef SOTTO_ERROR_H
#define SOTTO_ERROR_H

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

  /* Model loading and inference (-20 .. -39) */

  /* Over-the-air updates (-40 .. -59) */

  SOTTO_ERR_LAST_ = -127
} sotto_err_t;

/* A stable, human-readable name such as "SOTTO_ERR_DECODE"; never NULL. */
const char *sotto_err_name(sotto_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_ERROR_H */
