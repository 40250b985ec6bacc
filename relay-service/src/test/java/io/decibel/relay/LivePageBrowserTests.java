package io.decibel.relay;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.BlockingQueue;

import io.decibel.contract.Reading;
import io.decibel.contract.SoundLevels;
import io.decibel.contract.TelemetryCodec;
import io.decibel.contract.Topics;
import io.decibel.relay.MqttTestClient.Received;
import io.decibel.testsupport.TestInfrastructure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's page in a real browser: Debian's headless Chromium, driven through its chromedriver, against the relay
 * running on the tests' broker and database. Readings published over MQTT show up in the open page — rows, chart,
 * latest level, ACK counts — without a reload. The screenshots are kept in {@code target/screenshots}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LivePageBrowserTests {

	/** Debian's, or another build's named by {@code DECIBEL_TEST_CHROMIUM} (its own binary, not a launcher script). */
	static final Path CHROMIUM = Path.of(environment("DECIBEL_TEST_CHROMIUM", "/usr/bin/chromium"));

	static final Path CHROMEDRIVER = Path.of(environment("DECIBEL_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));

	static final Path SCREENSHOTS = Path.of("target", "screenshots");

	static final String ROOT = TestInfrastructure.uniqueName("live");

	static final Topics TOPICS = new Topics(ROOT);

	final TelemetryCodec codec = new TelemetryCodec();

	@LocalServerPort
	int port;

	@TempDir
	Path profile;

	ChromeDriver browser;

	MqttTestClient device;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		RelayTestProperties.register(registry, ROOT);
		// hours and days rolled up, and alerts evaluated, within the test's patience
		registry.add("decibel.relay.levels.rollup.period", () -> "200ms");
		registry.add("decibel.relay.alerts.interval", () -> "200ms");
		registry.add("decibel.relay.alerts.grace", () -> "1s");
		registry.add("decibel.relay.alerts.look-back", () -> "2d");
		registry.add("decibel.relay.alerts.rules[0].name", () -> "street-loud");
		registry.add("decibel.relay.alerts.rules[0].metric", () -> "laeq");
		registry.add("decibel.relay.alerts.rules[0].limit", () -> "70");
		registry.add("decibel.relay.alerts.rules[0].duration", () -> "1m");
		registry.add("decibel.relay.alerts.rules[0].devices[0]", () -> "street");
	}

	@BeforeAll
	static void needsChromium() {
		boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
		// CI installs both (.ci/run): there, a missing browser is a failure, not a reason to skip
		if (!installed && System.getenv("CI") == null) {
			Assumptions.abort("Skipped: no " + CHROMIUM + " or " + CHROMEDRIVER
					+ " (apt-get install chromium chromium-driver)");
		}
		assertThat(installed).as("%s and %s installed", CHROMIUM, CHROMEDRIVER).isTrue();
	}

	@BeforeEach
	void open() throws Exception {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
				"--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + this.profile);
		// the machine's driver, named: Selenium Manager has nothing to look up or download
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(CHROMEDRIVER.toString()))
			.usingAnyFreePort()
			.build();
		this.browser = new ChromeDriver(service, options);
		this.device = MqttTestClient.connect();
	}

	@AfterEach
	void close() throws Exception {
		if (this.browser != null) {
			this.browser.quit();
		}
		if (this.device != null) {
			this.device.close();
		}
	}

	@Test
	void showsReadingsAsTheyAreStoredWithTheirLevelsAndTheAckCountsWithoutAReload() throws Exception {
		// given: the page open and live, marked so that a reload would show
		this.browser.get("http://127.0.0.1:" + this.port + "/");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> "live".equals(this.browser.findElement(By.id("status")).getAttribute("data-state")));
		assertThat(rows()).isEmpty();
		this.browser.executeScript("window.openedOnce = true");
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));

		// when: readings of two devices, one of them sent twice, and a payload that is no reading
		double[] kitchen = { -42.0, -35.5, -20.25 };
		for (int seq = 0; seq < kitchen.length; seq++) {
			publishAndAwaitAck(reading("kitchen", seq, kitchen[seq]), acks);
		}
		publishAndAwaitAck(reading("hall", 0, -60.0), acks);
		Reading hall = reading("hall", 1, -55.0);
		publishAndAwaitAck(hall, acks);
		// the same reading again, as a device re-sends it: a DUPLICATE (a different reading under seq 1 would conflict)
		publishAndAwaitAck(hall, acks);
		this.device.publish(TOPICS.readings("hall"), "not a reading".getBytes(), null, null);
		MqttTestClient.next(acks);

		// then: the rows, newest first, once each
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(rows()).containsExactly("hall/1", "hall/0", "kitchen/2", "kitchen/1",
					"kitchen/0"));
		// the chart, a line per device with a point per reading
		assertThat(line("kitchen").getAttribute("data-points")).isEqualTo("3");
		assertThat(line("hall").getAttribute("data-points")).isEqualTo("2");
		assertThat(line("kitchen").getAttribute("points").split(" ")).hasSize(3);
		// the latest level of each device
		assertThat(latest("kitchen")).contains("-20.3 dBFS").contains("seq 2");
		assertThat(latest("hall")).contains("-55.0 dBFS");
		// the relay's ACK counts
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
			assertThat(text("count-stored")).isEqualTo("5");
			assertThat(text("count-duplicate")).isEqualTo("1");
			assertThat(text("count-rejected")).isEqualTo("1");
		});
		// and all of it without a reload
		assertThat(this.browser.executeScript("return window.openedOnce === true")).isEqualTo(true);

		// when: a calibrated meter and an uncalibrated one send A-weighted levels
		double[] studio = { 52.0, 58.5, 55.25 };
		for (int seq = 0; seq < studio.length; seq++) {
			publishAndAwaitAck(withLevels(reading("studio", seq, -40.0),
					new SoundLevels(studio[seq], studio[seq] + 6, studio[seq] - 8, studio[seq] + 3, studio[seq] - 1,
							studio[seq] - 5, true)),
					acks);
		}
		publishAndAwaitAck(withLevels(reading("desk", 0, -30.0), new SoundLevels(-31.5, -25, -40, -28, -32, -38.5,
				false)), acks);

		// then: their LAeq in dB(A) or dB(A)FS, LAFmax and LAF90 beside it, a band behind each line
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(latest("studio")).contains("55.3 dB(A)")
				.contains("LAFmax 61.3")
				.contains("LAF90 50.3"));
		assertThat(latest("desk")).contains("-31.5 dB(A)FS");
		assertThat(latest("kitchen")).contains("-20.3 dBFS");
		assertThat(band("studio").getAttribute("data-points")).isEqualTo("3");
		assertThat(line("studio").getAttribute("data-points")).isEqualTo("3");
		assertThat(this.browser.findElements(By.cssSelector("#chart polygon[data-band='kitchen']"))).isEmpty();
		assertThat(text("chart-title")).contains("dB(A)", "dB(A)FS", "dBFS");
		assertThat(this.browser.findElement(By.cssSelector("#readings tr[data-key='studio/2']")).getText())
			.contains("55.3 dB(A)", "61.3", "50.3");
		screenshot("live-page.png");

		// on a phone's screen, the same page, nothing wider than the screen but the table's own scroll
		this.browser.manage().window().setSize(new Dimension(390, 844));
		await().untilAsserted(() -> assertThat(this.browser
			.executeScript("return document.documentElement.scrollWidth <= window.innerWidth")).isEqualTo(true));
		screenshot("live-page-phone.png");
	}

	@Test
	void showsADevicesNoiseOverTimeAndItsOpenAlerts() throws Exception {
		// given: a street meter (calibrated, 1 s readings; zone UTC) loud in two minutes of the last hour, and quiet
		// the day before yesterday in each period of Lden
		BlockingQueue<Received> acks = this.device.subscribe(TOPICS.acks("+"));
		Instant thisMinute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
		Instant quietDay = thisMinute.truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2));
		long seq = 0;
		for (Instant minute : List.of(thisMinute.minus(Duration.ofMinutes(10)), thisMinute.minus(Duration.ofMinutes(5)))) {
			for (int second = 0; second < 3; second++) {
				publishAndAwaitAck(street(seq++, minute.plusSeconds(second), 80), acks);
			}
		}
		for (int hour : new int[] { 10, 20, 2 }) {
			publishAndAwaitAck(street(seq++, quietDay.plus(Duration.ofHours(hour)), 60), acks);
		}

		// when: the page shows that device
		this.browser.get("http://127.0.0.1:" + this.port + "/");
		WebElement deviceField = this.browser.findElement(By.cssSelector("#filter input[name=device]"));
		deviceField.sendKeys("street");
		this.browser.findElement(By.cssSelector("#filter button")).click();

		// then: the last hour per minute (the two loud minutes), the last day per hour, the quiet day's Lden, and the
		// alert the loud minutes raised
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
			assertThat(this.browser.findElement(By.id("device-view")).isDisplayed()).isTrue();
			assertThat(this.browser.findElement(By.id("minutes-chart")).getAttribute("data-bars")).isEqualTo("2");
			assertThat(this.browser.findElements(By.cssSelector("#minutes-chart rect[data-leq='80']"))).hasSize(2);
			assertThat(this.browser.findElements(By.cssSelector("#hours-chart rect[data-leq='80']"))).isNotEmpty();
			// by hand: 12 h of day, 4 of evening (+5 dB) and 8 of night (+10 dB), each at 60 dB(A)
			double lden = 10 * Math.log10((12 * Math.pow(10, 6.0) + 4 * Math.pow(10, 6.5) + 8 * Math.pow(10, 7.0)) / 24);
			String day = quietDay.toString().substring(0, 10);
			assertThat(this.browser.findElement(By.cssSelector("#days tr[data-day='" + day + "']")).getText())
				.startsWith(day + " " + String.format(java.util.Locale.ROOT, "%.1f", lden) + " 60.0 60.0 60.0");
			assertThat(this.browser.findElements(By.cssSelector("#alerts li[data-alert]"))).singleElement()
				.extracting(WebElement::getText)
				.asString()
				.contains("street-loud", "street", "laeq over 70.0 dB", "up to 80.0 dB");
		});
		assertThat(text("alerts-title")).isEqualTo("Open alerts of street");
		screenshot("live-page-device.png");
	}

	private Reading street(long seq, Instant sampledAt, double laeq) {
		Reading reading = reading("street", seq, -30.0);
		return withLevels(new Reading("street", seq, sampledAt, 1000, reading.rms(), reading.dbfs(), reading.peak(),
				"microphone"), new SoundLevels(laeq, laeq + 5, laeq - 5, laeq + 2, laeq, laeq - 3, true));
	}

	private void publishAndAwaitAck(Reading reading, BlockingQueue<Received> acks) throws Exception {
		this.device.publish(TOPICS.readings(reading.deviceId()), this.codec.encode(reading), null, null);
		MqttTestClient.next(acks);
	}

	private List<String> rows() {
		return this.browser.findElements(By.cssSelector("#readings tr"))
			.stream()
			.map((row) -> row.getAttribute("data-key"))
			.toList();
	}

	private WebElement band(String deviceId) {
		return this.browser.findElement(By.cssSelector("#chart polygon[data-band='" + deviceId + "']"));
	}

	private WebElement line(String deviceId) {
		return this.browser.findElement(By.cssSelector("#chart polyline[data-device='" + deviceId + "']"));
	}

	private String latest(String deviceId) {
		return this.browser.findElement(By.cssSelector("#levels [data-latest='" + deviceId + "']")).getText();
	}

	private String text(String id) {
		return this.browser.findElement(By.id(id)).getText();
	}

	private void screenshot(String name) throws IOException {
		Files.createDirectories(SCREENSHOTS);
		File shot = this.browser.getScreenshotAs(OutputType.FILE);
		Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
	}

	private static String environment(String name, String otherwise) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : otherwise;
	}

	static Reading withLevels(Reading reading, SoundLevels levels) {
		return new Reading(reading.deviceId(), reading.seq(), reading.sampledAt(), reading.windowMs(), reading.rms(),
				reading.dbfs(), reading.peak(), "microphone", levels);
	}

	static Reading reading(String deviceId, long seq, double dbfs) {
		double rms = 32768 * Math.pow(10, dbfs / 20);
		return new Reading(deviceId, seq, Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, rms, dbfs,
				Math.min(32768, rms * 2), "synthetic");
	}

}
