package io.decibel.e2e;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A headless Chromium driven through its chromedriver, as the relay's LivePageBrowserTests drive it: Debian's
 * ({@code apt-get install chromium chromium-driver}), or the binaries {@code DECIBEL_TEST_CHROMIUM} and
 * {@code DECIBEL_TEST_CHROMEDRIVER} name.
 */
final class Browser {

	static final Path CHROMIUM = Path.of(environment("DECIBEL_TEST_CHROMIUM", "/usr/bin/chromium"));

	static final Path CHROMEDRIVER = Path.of(environment("DECIBEL_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));

	private Browser() {
	}

	/** Whether there is one: CI installs it, a developer's machine may not have it. */
	static boolean installed() {
		return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
	}

	static ChromeDriver open(Path profile) {
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--window-size=1280,1000", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder()
			.usingDriverExecutable(new File(CHROMEDRIVER.toString()))
			.usingAnyFreePort()
			.build();
		return new ChromeDriver(service, options);
	}

	private static String environment(String name, String otherwise) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : otherwise;
	}

}
