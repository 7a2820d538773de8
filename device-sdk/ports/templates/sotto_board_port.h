/* Port template: the SDK's platform structs (sotto/port.h) for a bare-metal board, in
 * sotto_board_port.c. Copy both files into your firmware and write the two board functions
 * declared at the end; see README.md. */
#ifndef SOTTO_BOARD_PORT_H
#define SOTTO_BOARD_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "sotto/port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every port the SDK takes, ready for sotto_device_config_t.ports (and the storage port for
 * sotto_ota_config_t.storage). clock: e.g. sotto_port_systick_clock() from
 * cortex-m/systick_clock.c. */
sotto_ports_t sotto_board_ports(sotto_clock_port_t clock);

/* ---- Written by you, for your board ------------------------------------------------------ */

/* Sends one message on your uplink (MQTT client, cellular modem, LoRaWAN stack...). Return 0 only
 * once the other end acknowledged it (MQTT QoS 1 PUBACK, LoRaWAN confirmed uplink): the SDK keeps
 * the event queued and sends it again after any other return value. */
int board_uplink_publish(const char *topic, const uint8_t *payload, size_t len);

/* Writes one log line from the SDK (UART, RTT, semihosting); it has no trailing newline. */
void board_log_write(const char *line);

#ifdef __cplusplus
}
#endif

#endif /* SOTTO_BOARD_PORT_H */
