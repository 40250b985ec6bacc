#!/bin/sh
# The MQTT accounts of .env, written where EMQX's built-in database authenticator imports them from (its bootstrap
# file, see EMQX_AUTHENTICATION in docker-compose.yml; imported while the database holds no account), then EMQX
# started as the image starts it. Passwords must not contain a comma.
set -eu
umask 077
{
	echo "user_id,password,is_superuser"
	echo "relay,${MQTT_RELAY_PASSWORD},false"
	echo "subscriber,${MQTT_SUBSCRIBER_PASSWORD},false"
	echo "${PUBLISHER_DEVICE_ID},${MQTT_DEVICE_PASSWORD},false"
} > /opt/emqx/data/decibel-users.csv
exec /usr/bin/docker-entrypoint.sh /opt/emqx/bin/emqx foreground
