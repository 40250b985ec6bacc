package io.decibel.relay;

import java.time.Clock;

import io.decibel.contract.ReadingValidator;
import io.decibel.contract.TelemetryCodec;
import io.decibel.relay.database.DatabaseClock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * The relay: receives every reading on a shared subscription, validates it, stores it in MySQL and answers the
 * device with an ACK after the commit.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RelayApplication {

	public static void main(String[] args) {
		SpringApplication.run(RelayApplication.class, args);
	}

	/**
	 * The relay's own clock, which {@link DatabaseClock} measures against the database's: what is stored or compared
	 * with what is stored goes by the database's. A test sets it off.
	 */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	/** A reading's sampledAt is judged by the database's clock, which every relay shares, not by this host's. */
	@Bean
	TelemetryCodec telemetryCodec(DatabaseClock databaseClock) {
		return new TelemetryCodec(new ReadingValidator(databaseClock.asClock()));
	}

}
