package io.decibel.relay.delivery;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param recount how often at most a device whose gauges show missing seqs is counted again in the table: the
 * readings other relays of the share group store, and late ones, show up by then
 */
@ConfigurationProperties("decibel.relay.delivery")
record DeliverySettings(@DefaultValue("1m") Duration recount) {
}
