package io.decibel.relay.live;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.decibel.contract.Ack;
import io.decibel.contract.AckStatus;
import io.decibel.relay.readings.BatchCommitted;
import io.decibel.relay.readings.ReadingView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The live page's feed: after each committed batch, its newly stored readings and the relay's ACK counts go to every
 * open page as a Server-Sent Event. The writer thread only hands the batch to a thread of this class's own, through a
 * bounded queue: a slow page, or many, can delay each other, never the readings' path. When the queue is full the
 * batch is dropped for the pages (they catch up from the API on their next reconnect).
 */
@Component
class LiveReadings {

	private static final Logger LOG = LoggerFactory.getLogger(LiveReadings.class);

	static final int MAX_CLIENTS = 100;

	static final Duration HEARTBEAT = Duration.ofSeconds(15);

	/** An open page reconnects (EventSource does it by itself) after this long; a dead one is dropped by then. */
	static final Duration CONNECTION_LIFETIME = Duration.ofMinutes(30);

	private final List<SseEmitter> clients = new CopyOnWriteArrayList<>();

	private final ThreadPoolExecutor fanOut = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
			new ArrayBlockingQueue<>(256), (runnable) -> {
				Thread thread = new Thread(runnable, "live-readings");
				thread.setDaemon(true);
				return thread;
			}, new ThreadPoolExecutor.DiscardPolicy());

	private final MeterRegistry meters;

	private final ScheduledFuture<?> heartbeats;

	LiveReadings(MeterRegistry meters, TaskScheduler scheduler) {
		this.meters = meters;
		this.heartbeats = scheduler.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT);
	}

	/** A new page: it gets the ACK counts at once, then every committed batch. */
	ResponseEntity<SseEmitter> connect() {
		if (this.clients.size() >= MAX_CLIENTS) {
			return ResponseEntity.status(503).build();
		}
		SseEmitter client = new SseEmitter(CONNECTION_LIFETIME.toMillis());
		client.onCompletion(() -> this.clients.remove(client));
		client.onTimeout(client::complete);
		client.onError((ex) -> this.clients.remove(client));
		this.clients.add(client);
		this.fanOut.execute(() -> send(client, "counts", counts()));
		return ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM).body(client);
	}

	/** On the writer's thread: hand over, return. */
	@EventListener
	void committed(BatchCommitted batch) {
		if (!this.clients.isEmpty()) {
			this.fanOut.execute(() -> broadcast(batch));
		}
	}

	private void broadcast(BatchCommitted batch) {
		List<ReadingView> stored = new ArrayList<>();
		for (int i = 0; i < batch.acks().size(); i++) {
			Ack ack = batch.acks().get(i);
			if (ack.status() == AckStatus.STORED) {
				stored.add(ReadingView.of(batch.readings().get(i), batch.receivedAt(), ack.storedAt()));
			}
		}
		Map<String, Object> counts = counts();
		for (SseEmitter client : this.clients) {
			if (!stored.isEmpty()) {
				send(client, "readings", stored);
			}
			send(client, "counts", counts);
		}
	}

	/** Keeps idle connections open through proxies, and finds the pages that are gone. */
	private void heartbeat() {
		if (this.clients.isEmpty()) {
			return;
		}
		this.fanOut.execute(() -> this.clients.forEach((client) -> {
			try {
				client.send(SseEmitter.event().comment("still here"));
			}
			catch (IOException | IllegalStateException ex) {
				this.clients.remove(client);
			}
		}));
	}

	private void send(SseEmitter client, String name, Object data) {
		try {
			client.send(SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON));
		}
		catch (IOException | IllegalStateException ex) {
			// the page went away: forget it (its container completes the emitter)
			this.clients.remove(client);
			LOG.debug("Live page gone: {}", ex.getMessage());
		}
	}

	/** The relay's ACK counts since it started: what its meters say. */
	private Map<String, Object> counts() {
		Map<String, Object> counts = new LinkedHashMap<>();
		for (AckStatus status : AckStatus.values()) {
			String tag = status.name().toLowerCase(Locale.ROOT);
			counts.put(tag, (long) Search.in(this.meters).name("decibel.relay.readings").tag("status", tag).counters()
				.stream().mapToDouble((counter) -> counter.count()).sum());
		}
		return counts;
	}

	/** Before the web server's graceful shutdown, which would otherwise wait for the open pages. */
	@EventListener(ContextClosedEvent.class)
	void close() {
		this.heartbeats.cancel(false);
		this.clients.forEach(SseEmitter::complete);
		this.clients.clear();
		this.fanOut.shutdown();
	}

}
