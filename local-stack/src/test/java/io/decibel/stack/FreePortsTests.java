package io.decibel.stack;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTests {

	@Test
	void prefersTheUsualPortWhenItIsFree() {
		int free = FreePorts.any();

		assertThat(FreePorts.preferring(free)).isEqualTo(free);
	}

	@Test
	void handsOutFreePortsBelowTheKernelsEphemeralRangeAndNeverTwice() {
		Set<Integer> ports = new HashSet<>();
		for (int i = 0; i < 50; i++) {
			int port = FreePorts.any();
			// outgoing connections take their local ports from that range: one of them could take this port first
			assertThat(port).isLessThan(FreePorts.ephemeralRangeStart());
			assertThat(FreePorts.isFree(port)).isTrue();
			assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
		}
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
