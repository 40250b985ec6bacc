package io.decibel.stack;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTests {

	@Test
	void prefersTheUsualPortWhenItIsFree() {
		int free = FreePorts.any();

		assertThat(FreePorts.preferring(free)).isEqualTo(free);
	}

	@Test
	void fallsBackToAnotherPortWhenTheUsualOneIsTaken() throws Exception {
		// given
		try (ServerSocket taken = new ServerSocket()) {
			taken.bind(new InetSocketAddress("127.0.0.1", 0));

			// when
			int port = FreePorts.preferring(taken.getLocalPort());

			// then
			assertThat(port).isNotEqualTo(taken.getLocalPort()).isPositive();
			assertThat(FreePorts.isFree(port)).isTrue();
		}
	}

}
