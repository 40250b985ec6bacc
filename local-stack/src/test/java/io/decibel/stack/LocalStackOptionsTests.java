package io.decibel.stack;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LocalStackOptionsTests {

	@Test
	void runsTwoSubscribersAndAnEndlessAutoPublisherByDefault() {
		assertThat(LocalStackOptions.parse()).isEqualTo(new LocalStackOptions(null, 2, "auto", false));
	}

	@Test
	void readsEveryOption() {
		assertThat(LocalStackOptions.parse("--count=10", "--subscribers=0", "--source=wav:/tmp/street.wav",
				"--exit-when-published"))
			.isEqualTo(new LocalStackOptions(10, 0, "wav:/tmp/street.wav", true));
	}

	@Test
	void rejectsWhatItDoesNotUnderstand() {
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackOptions.parse("--count=0"))
			.withMessageContaining("--count=0");
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackOptions.parse("--subscribers=two"))
			.withMessageContaining("--subscribers=two");
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackOptions.parse("--source=radio"))
			.withMessageContaining("--source=radio");
		assertThatIllegalArgumentException().isThrownBy(() -> LocalStackOptions.parse("--verbose"))
			.withMessageContaining("--verbose");
	}

}
