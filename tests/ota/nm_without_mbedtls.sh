#!/bin/sh
# An nm for check_freestanding_symbols.sh that hides the crypto backend's symbols (the OTA engine
# calls mbedTLS through its crypto shim) and nanopb's generated message descriptors
# (sotto_v1_<Message>_msg, mixed case); otherwise the same allowance as the rest of the SDK.
nm "$@" | grep -vE '^(mbedtls_[a-z0-9_]+|sotto_v1_[A-Za-z0-9_]+_msg)$'
