package io.decibel.relay.live;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The readings as they are stored, for the page at {@code /}. */
@RestController
class LiveReadingsController {

	private final LiveReadings live;

	LiveReadingsController(LiveReadings live) {
		this.live = live;
	}

	/** Server-Sent Events: {@code readings} (the rows of each committed batch), {@code counts} (the ACK counts). */
	@GetMapping("/api/readings/stream")
	ResponseEntity<SseEmitter> stream() {
		return this.live.connect();
	}

}
