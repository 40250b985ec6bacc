#!/bin/sh
# The MQTT accounts the emqx service is given (relay, subscriber, the device), written to Mosquitto's password file
# as compose/emqx/start.sh writes them for EMQX, then Mosquitto in the foreground.
set -eu
umask 077
mkdir -p /run/mosquitto
: > /run/mosquitto/passwd
mosquitto_passwd -b /run/mosquitto/passwd relay "${MQTT_RELAY_PASSWORD}"
mosquitto_passwd -b /run/mosquitto/passwd subscriber "${MQTT_SUBSCRIBER_PASSWORD}"
mosquitto_passwd -b /run/mosquitto/passwd "${PUBLISHER_DEVICE_ID}" "${MQTT_DEVICE_PASSWORD}"
chown -R mosquitto:mosquitto /run/mosquitto
exec mosquitto -c /etc/mosquitto/decibel/mosquitto.conf
