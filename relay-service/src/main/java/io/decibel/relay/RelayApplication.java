package io.decibel.relay;

import java.time.Clock;

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

	/** The time readings are received and stored at, and retention ages them by: a test moves it on. */
	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

}
