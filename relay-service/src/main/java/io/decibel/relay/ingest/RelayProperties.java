package io.decibel.relay.ingest;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param shareGroup the shared-subscription group of the relays: each reading goes to one relay of the group
 */
@ConfigurationProperties("decibel.relay")
record RelayProperties(@DefaultValue("relay") String shareGroup) {
}
