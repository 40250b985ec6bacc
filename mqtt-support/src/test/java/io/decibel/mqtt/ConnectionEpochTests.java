package io.decibel.mqtt;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import org.springframework.integration.acks.SimpleAcknowledgment;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionEpochTests {

	private final ConnectionEpoch epoch = new ConnectionEpoch();

	private final AtomicBoolean transportUp = new AtomicBoolean(true);

	private final AtomicInteger pubacks = new AtomicInteger();

	private final SimpleAcknowledgment puback = this.pubacks::incrementAndGet;

	@Test
	void acknowledgesADeliveryOnTheConnectionItCameOnOnce() {
		this.epoch.connected(this.transportUp::get);
		SimpleAcknowledgment acknowledgment = this.epoch.bind(this.puback);

		acknowledgment.acknowledge();
		acknowledgment.acknowledge();

		assertThat(this.pubacks).hasValue(1);
		assertThat(this.epoch.droppedAcknowledgments()).isZero();
	}

	@Test
	void neverAcknowledgesADeliveryOfAnEarlierConnectionOnANewOne() {
		// given
		this.epoch.connected(this.transportUp::get);
		SimpleAcknowledgment acknowledgment = this.epoch.bind(this.puback);

		// when
		this.epoch.disconnected();
		this.epoch.connected(this.transportUp::get);
		acknowledgment.acknowledge();

		// then
		assertThat(this.pubacks).hasValue(0);
		assertThat(this.epoch.droppedAcknowledgments()).isEqualTo(1);
		assertThat(this.epoch.connections()).isEqualTo(2);
	}

	@Test
	void dropsAnAcknowledgmentWhileTheConnectionIsClosingBeforeAnyoneIsTold() {
		this.epoch.connected(this.transportUp::get);
		SimpleAcknowledgment acknowledgment = this.epoch.bind(this.puback);

		this.transportUp.set(false);
		acknowledgment.acknowledge();

		assertThat(this.pubacks).hasValue(0);
		assertThat(this.epoch.droppedAcknowledgments()).isEqualTo(1);
	}

	@Test
	void dropsAnAcknowledgmentThatArrivedWhileDisconnected() {
		this.epoch.connected(this.transportUp::get);
		this.epoch.disconnected();
		SimpleAcknowledgment acknowledgment = this.epoch.bind(this.puback);

		this.epoch.connected(this.transportUp::get);
		acknowledgment.acknowledge();

		assertThat(this.pubacks).hasValue(0);
	}

	@Test
	void neverLetsAFailedPubackEscape() {
		this.epoch.connected(this.transportUp::get);
		SimpleAcknowledgment acknowledgment = this.epoch.bind(() -> {
			throw new IllegalStateException("Client is not connected");
		});

		acknowledgment.acknowledge();

		assertThat(this.epoch.droppedAcknowledgments()).isEqualTo(1);
	}

}
