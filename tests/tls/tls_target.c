/* TLS on the emulated Cortex-M4, test and benchmark in one image: the port's TLS client
 * (sotto/port_tls.h) and an mbedTLS server (the broker's side) talk over two memory pipes in
 * one program. Mutual authentication with P-256 certificates from one CA
 * (tls_target_data.h), suite TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256. It checks that the
 * handshake completes on both sides and that application data round-trips (the server echoes
 * what the client sent), and that a client with another CA refuses the broker; exit status 0
 * only then. It also prints what the client side costs, for deploy/bench.sh tls:
 *   client_init_instructions        sotto_tls_client_init: parsing the CA, certificate and
 *                                   key, seeding the DRBG (QEMU -icount)
 *   client_handshake_instructions   instructions inside the client's handshake calls, the
 *                                   server's work excluded
 *   client_record_instructions      one 64-byte write plus the read of its 64-byte echo
 *   client_stack_bytes              deepest stack below the call site during client calls
 *   client_pool_peak_bytes          high-water mark of the client's mbedTLS pool
 *   client_context_bytes            sizeof(sotto_tls_client_t)
 *   server_pool_peak_bytes          the broker side's, for comparison
 * Each side has its own instance of mbedTLS's buffer allocator (memory_buffer_alloc.c compiled
 * twice, see target.cmake) over a painted static pool, so the client's peak excludes the
 * server's. Deterministic entropy: the same image gives the same counts every run. */
#include <stdint.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/platform.h"
#include "mbedtls/ssl.h"
#include "sotto/port_target.h"
#include "sotto/port_tls.h"
#include "tls_target_data.h"
#include "write_int.h"

/* ---- The two allocator instances (renamed builds of memory_buffer_alloc.c) --------------- */

void sotto_bench_client_pool_init(unsigned char *buf, size_t len);
void sotto_bench_server_pool_init(unsigned char *buf, size_t len);

enum { kClient = 0, kServer = 1 };
enum { kPoolBytes = 32768 };
static unsigned char pools[2][kPoolBytes];
static void *(*pool_calloc[2])(size_t, size_t);
static void (*pool_free[2])(void *);
static int side = kClient; /* whose allocator serves mbedtls_calloc now */

/* What each instance's init hands to mbedtls_platform_set_calloc_free (renamed to these). */
int sotto_bench_client_pool_capture(void *(*calloc_fn)(size_t, size_t), void (*free_fn)(void *)) {
  pool_calloc[kClient] = calloc_fn;
  pool_free[kClient] = free_fn;
  return 0;
}
int sotto_bench_server_pool_capture(void *(*calloc_fn)(size_t, size_t), void (*free_fn)(void *)) {
  pool_calloc[kServer] = calloc_fn;
  pool_free[kServer] = free_fn;
  return 0;
}

/* mbedTLS's default calloc/free (sotto_mbedtls_tls_config.h) in this image. */
void *sotto_mbedtls_tls_first_calloc(size_t count, size_t size) {
  return pool_calloc[side](count, size);
}
void sotto_mbedtls_tls_unused_free(void *ptr) {
  const unsigned char *p = (const unsigned char *)ptr;
  for (int i = 0; i < 2; ++i) {
    if (p >= pools[i] && p < pools[i] + kPoolBytes) {
      pool_free[i](ptr);
    }
  }
}

enum { kPaint = 0xa5, kPoolHeaderRoom = 64 };

static size_t pool_high_water(int which) {
  size_t end = kPoolBytes;
  while (end > 0 && pools[which][end - 1] == kPaint) {
    --end;
  }
  return end;
}

/* ---- Stack high-water below a call site ---------------------------------------------------- */

enum { kStackProbeBytes = 16384, kStackGuardBytes = 256 };
static uintptr_t stack_probe_low;
static uintptr_t stack_probe_high;
static size_t client_stack_bytes;

static inline __attribute__((always_inline)) uintptr_t stack_pointer(void) {
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

static __attribute__((noinline)) void paint_stack(void) {
  stack_probe_high = stack_pointer() - kStackGuardBytes; /* below this function's own frame */
  stack_probe_low = stack_probe_high - kStackProbeBytes;
  for (uintptr_t at = stack_probe_low; at < stack_probe_high; ++at) {
    *(volatile uint8_t *)at = kPaint;
  }
}

static void measure_stack(uintptr_t call_site) {
  uintptr_t at = stack_probe_low;
  while (at < stack_probe_high && *(volatile const uint8_t *)at == kPaint) {
    ++at;
  }
  const size_t used = call_site - at;
  if (used > client_stack_bytes) {
    client_stack_bytes = used;
  }
}

/* ---- Memory pipes ---------------------------------------------------------------------- */

typedef struct pipe {
  unsigned char bytes[4096];
  size_t head;
  size_t tail;
} pipe_t;

typedef struct endpoint {
  pipe_t *out;
  pipe_t *in;
} endpoint_t;

static pipe_t client_to_server;
static pipe_t server_to_client;

static int pipe_send(void *ctx, const unsigned char *buf, size_t len) {
  pipe_t *pipe = ((endpoint_t *)ctx)->out;
  if (pipe->head == pipe->tail) {
    pipe->head = pipe->tail = 0;
  }
  size_t room = sizeof pipe->bytes - pipe->tail;
  if (room == 0) {
    return MBEDTLS_ERR_SSL_WANT_WRITE;
  }
  size_t n = len < room ? len : room;
  memcpy(pipe->bytes + pipe->tail, buf, n);
  pipe->tail += n;
  return (int)n;
}

static int pipe_recv(void *ctx, unsigned char *buf, size_t len) {
  pipe_t *pipe = ((endpoint_t *)ctx)->in;
  size_t available = pipe->tail - pipe->head;
  if (available == 0) {
    return MBEDTLS_ERR_SSL_WANT_READ;
  }
  size_t n = len < available ? len : available;
  memcpy(buf, pipe->bytes + pipe->head, n);
  pipe->head += n;
  return (int)n;
}

static endpoint_t client_end = {&client_to_server, &server_to_client};
static endpoint_t server_end = {&server_to_client, &client_to_server};

/* Deterministic stand-in for a hardware TRNG (xorshift64), one stream per side. */
static int bench_entropy(void *ctx, unsigned char *out, size_t len) {
  uint64_t *state = (uint64_t *)ctx;
  for (size_t i = 0; i < len; ++i) {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    out[i] = (unsigned char)*state;
  }
  return 0;
}

/* ---- The broker's side ----------------------------------------------------------------- */

typedef struct server {
  mbedtls_ssl_context ssl;
  mbedtls_ssl_config conf;
  mbedtls_x509_crt ca;
  mbedtls_x509_crt cert;
  mbedtls_pk_context key;
  mbedtls_ctr_drbg_context drbg;
} server_t;

static server_t server;
static uint64_t server_entropy_state = 0x5e77e7u;
static const int kSuites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};

static int server_init(void) {
  mbedtls_ssl_init(&server.ssl);
  mbedtls_ssl_config_init(&server.conf);
  mbedtls_x509_crt_init(&server.ca);
  mbedtls_x509_crt_init(&server.cert);
  mbedtls_pk_init(&server.key);
  mbedtls_ctr_drbg_init(&server.drbg);
  int rc = mbedtls_x509_crt_parse_der(&server.ca, kCaCert, sizeof kCaCert);
  rc = rc != 0 ? rc : mbedtls_x509_crt_parse_der(&server.cert, kBrokerCert, sizeof kBrokerCert);
  rc = rc != 0 ? rc : mbedtls_pk_parse_key(&server.key, kBrokerKey, sizeof kBrokerKey, NULL, 0);
  rc = rc != 0 ? rc
               : mbedtls_ctr_drbg_seed(&server.drbg, bench_entropy, &server_entropy_state, NULL, 0);
  rc = rc != 0
           ? rc
           : mbedtls_ssl_config_defaults(&server.conf, MBEDTLS_SSL_IS_SERVER,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
  if (rc != 0) {
    return rc;
  }
  mbedtls_ssl_conf_ciphersuites(&server.conf, kSuites);
  mbedtls_ssl_conf_authmode(&server.conf, MBEDTLS_SSL_VERIFY_REQUIRED); /* mutual TLS */
  mbedtls_ssl_conf_ca_chain(&server.conf, &server.ca, NULL);
  mbedtls_ssl_conf_rng(&server.conf, mbedtls_ctr_drbg_random, &server.drbg);
  rc = mbedtls_ssl_conf_own_cert(&server.conf, &server.cert, &server.key);
  rc = rc != 0 ? rc : mbedtls_ssl_setup(&server.ssl, &server.conf);
  mbedtls_ssl_set_bio(&server.ssl, &server_end, pipe_send, pipe_recv, NULL);
  return rc;
}

static void server_free(void) {
  mbedtls_ssl_free(&server.ssl);
  mbedtls_ssl_config_free(&server.conf);
  mbedtls_ctr_drbg_free(&server.drbg);
  mbedtls_pk_free(&server.key);
  mbedtls_x509_crt_free(&server.cert);
  mbedtls_x509_crt_free(&server.ca);
}

/* ---- The run ----------------------------------------------------------------------------- */

static sotto_tls_client_t client;
static uint64_t client_entropy_state = 0xc11e47u;
static uint64_t client_instructions;
static int failures;

static void fail(const char *what, int64_t code) {
  ++failures;
  sotto_port_write("FAILED: ");
  sotto_port_write(what);
  sotto_port_write(" (");
  sotto_test_write_int(code);
  sotto_port_write(")\n");
}

static void report(const char *name, uint64_t value) {
  sotto_port_write(name);
  sotto_port_write(" ");
  sotto_test_write_int((int64_t)value);
  sotto_port_write("\n");
}

/* One client call, counted: instructions, stack below this frame, the client's allocator. */
#define CLIENT_CALL(result, call)                              \
  do {                                                         \
    const uintptr_t call_site = stack_pointer();               \
    side = kClient;                                            \
    paint_stack();                                             \
    const uint64_t before = sotto_port_instructions();         \
    (result) = (call);                                         \
    client_instructions += sotto_port_instructions() - before; \
    measure_stack(call_site);                                  \
  } while (0)

static sotto_tls_client_config_t client_config(const unsigned char *ca, size_t ca_len) {
  sotto_tls_client_config_t config;
  memset(&config, 0, sizeof config);
  config.ca_der = ca;
  config.ca_der_len = ca_len;
  config.cert_der = kDeviceCert;
  config.cert_der_len = sizeof kDeviceCert;
  config.key_der = kDeviceKey;
  config.key_der_len = sizeof kDeviceKey;
  config.server_name = "broker";
  config.entropy = bench_entropy;
  config.entropy_ctx = &client_entropy_state;
  config.send = pipe_send;
  config.recv = pipe_recv;
  config.io_ctx = &client_end;
  return config;
}

/* Both sides step until both are done or one fails; returns the client's last answer. */
static sotto_err_t handshake(int *server_rc) {
  sotto_err_t client_rc = SOTTO_ERR_TLS_WANT_IO;
  *server_rc = MBEDTLS_ERR_SSL_WANT_READ;
  for (int round = 0; round < 64; ++round) {
    if (client_rc == SOTTO_ERR_TLS_WANT_IO) {
      CLIENT_CALL(client_rc, sotto_tls_client_handshake(&client));
    }
    if (*server_rc == MBEDTLS_ERR_SSL_WANT_READ || *server_rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
      side = kServer;
      *server_rc = mbedtls_ssl_handshake(&server.ssl);
    }
    const int client_waits = client_rc == SOTTO_ERR_TLS_WANT_IO;
    const int server_waits =
        *server_rc == MBEDTLS_ERR_SSL_WANT_READ || *server_rc == MBEDTLS_ERR_SSL_WANT_WRITE;
    if (!client_waits && !server_waits) {
      break;
    }
    if ((!client_waits && client_rc != SOTTO_OK) || (!server_waits && *server_rc != 0)) {
      break; /* one side failed: the other would wait forever */
    }
  }
  return client_rc;
}

static void handshake_and_echo(void) {
  sotto_tls_client_config_t config = client_config(kCaCert, sizeof kCaCert);
  sotto_err_t rc;
  CLIENT_CALL(rc, sotto_tls_client_init(&client, &config));
  if (rc != SOTTO_OK) {
    fail("client init", client.last_mbedtls_error);
    return;
  }
  report("client_init_instructions", client_instructions);
  client_instructions = 0;
  side = kServer;
  if (server_init() != 0) {
    fail("server init", 0);
    return;
  }
  int server_rc = 0;
  rc = handshake(&server_rc);
  if (rc != SOTTO_OK || server_rc != 0) {
    fail("handshake (client mbedTLS error)", client.last_mbedtls_error);
    fail("handshake (server mbedTLS error)", server_rc);
    return;
  }
  report("client_handshake_instructions", client_instructions);

  /* Application data: 64 bytes to the broker, echoed back. */
  unsigned char message[64];
  for (size_t i = 0; i < sizeof message; ++i) {
    message[i] = (unsigned char)(i * 37u + 11u);
  }
  client_instructions = 0;
  size_t written = 0;
  CLIENT_CALL(rc, sotto_tls_client_write(&client, message, sizeof message, &written));
  if (rc != SOTTO_OK || written != sizeof message) {
    fail("client write", client.last_mbedtls_error);
    return;
  }
  side = kServer;
  unsigned char received[sizeof message];
  int n = mbedtls_ssl_read(&server.ssl, received, sizeof received);
  if (n != (int)sizeof message || memcmp(received, message, sizeof message) != 0) {
    fail("server read", n);
    return;
  }
  if (mbedtls_ssl_write(&server.ssl, received, sizeof received) != (int)sizeof received) {
    fail("server write", 0);
    return;
  }
  unsigned char echoed[sizeof message];
  size_t read = 0;
  CLIENT_CALL(rc, sotto_tls_client_read(&client, echoed, sizeof echoed, &read));
  if (rc != SOTTO_OK || read != sizeof message || memcmp(echoed, message, sizeof message) != 0) {
    fail("client read of the echo", client.last_mbedtls_error);
    return;
  }
  report("client_record_instructions", client_instructions);
  report("client_pool_peak_bytes", pool_high_water(kClient));
  report("client_stack_bytes", client_stack_bytes);
  report("client_context_bytes", sizeof(sotto_tls_client_t));
  report("server_pool_peak_bytes", pool_high_water(kServer));

  side = kClient;
  sotto_tls_client_free(&client);
  side = kServer;
  server_free();
}

/* A client that trusts another CA (the broker's certificate as its only "CA") must refuse. */
static void client_with_another_ca_refuses_the_broker(void) {
  memset(&client_to_server, 0, sizeof client_to_server);
  memset(&server_to_client, 0, sizeof server_to_client);
  sotto_tls_client_config_t config = client_config(kBrokerCert, sizeof kBrokerCert);
  side = kClient;
  sotto_err_t rc = sotto_tls_client_init(&client, &config);
  side = kServer;
  if (rc != SOTTO_OK || server_init() != 0) {
    fail("init for the wrong-CA case", client.last_mbedtls_error);
    return;
  }
  int server_rc = 0;
  rc = handshake(&server_rc);
  if (rc != SOTTO_ERR_TLS_PEER_CERT) {
    fail("wrong CA: expected SOTTO_ERR_TLS_PEER_CERT, got", rc);
  }
  side = kClient;
  sotto_tls_client_free(&client);
  side = kServer;
  server_free();
}

int main(void) {
  sotto_bench_client_pool_init(pools[kClient], kPoolBytes);
  sotto_bench_server_pool_init(pools[kServer], kPoolBytes);
  /* init zeroes its pool and writes one header at the start; paint the free space after it. */
  for (int i = 0; i < 2; ++i) {
    memset(pools[i] + kPoolHeaderRoom, kPaint, kPoolBytes - kPoolHeaderRoom);
  }
  handshake_and_echo();
  client_with_another_ca_refuses_the_broker();
  sotto_port_write(failures == 0 ? "tls: handshake, echo and CA check ok\n" : "tls: FAILED\n");
  return failures;
}
