package io.decibel.relay.readings;

import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.handler.advice.AbstractRequestHandlerAdvice;
import org.springframework.messaging.Message;

/**
 * A reply (ACK, dead letter) that cannot be published — the MQTT connection is down — is dropped, counted, and
 * logged once per spell: the batch it answers is stored and must not be handled again for it. A device that gets
 * no ACK re-sends the reading, and is answered {@code DUPLICATE}.
 */
class UnsentReplies extends AbstractRequestHandlerAdvice {

	private static final Logger LOG = LoggerFactory.getLogger(UnsentReplies.class);

	private final AtomicLong unsent = new AtomicLong();

	private volatile boolean failing;

	@Override
	protected @Nullable Object doInvoke(ExecutionCallback callback, Object target, Message<?> message) {
		try {
			Object result = callback.execute();
			if (this.failing) {
				this.failing = false;
				LOG.info("Replies go out again");
			}
			return result;
		}
		catch (RuntimeException ex) {
			this.unsent.incrementAndGet();
			if (!this.failing) {
				this.failing = true;
				Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
				LOG.warn("Replies are not going out ({}): dropped until they can; a device re-sends what it got no ACK"
						+ " for", cause.toString());
			}
			return null;
		}
	}

	/** Replies dropped because they could not be published. */
	long unsent() {
		return this.unsent.get();
	}

}
