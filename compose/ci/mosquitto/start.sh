#!/bin/sh
# The MQTT accounts the emqx service is given (relay, subscriber, the device), written to Mosquitto's password file
# as compose/emqx/start.sh writes them for EMQX, then Mosquitto in the foreground with the configuration shipped for it
# (compose/mosquitto/mosquitto.conf, mounted there; it names this password file and the ACL).
set -eu
umask 077
: > /mosquitto/config/passwd
mosquitto_passwd -b /mosquitto/config/passwd relay "${MQTT_RELAY_PASSWORD}"
mosquitto_passwd -b /mosquitto/config/passwd subscriber "${MQTT_SUBSCRIBER_PASSWORD}"
mosquitto_passwd -b /mosquitto/config/passwd "${PUBLISHER_DEVICE_ID}" "${MQTT_DEVICE_PASSWORD}"
chown mosquitto:mosquitto /mosquitto/config/passwd
exec mosquitto -c /mosquitto/config/mosquitto.conf
