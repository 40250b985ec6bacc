package io.decibel.publisher.publishing;

import java.nio.charset.StandardCharsets;

import io.decibel.contract.ReadingIdentity;
import org.junit.jupiter.api.Test;

import static io.decibel.publisher.publishing.OutboxLogTests.reading;
import static org.assertj.core.api.Assertions.assertThat;

/** A send's Correlation Data: written and read back, v1's seq alone still read, anything else not ours. */
class CorrelationTests {

	@Test
	void namesTheSeqTheReadingAndTheSend() {
		ReadingIdentity identity = ReadingIdentity.of(reading(17));

		byte[] data = Correlation.of(17, identity, 2);

		assertThat(new String(data, StandardCharsets.UTF_8))
			.isEqualTo("17:" + identity.digest().substring(0, 16) + ":2");
		Correlation read = Correlation.parse(data);
		assertThat(read).isEqualTo(new Correlation(17, identity.digest().substring(0, 16), 2));
		assertThat(read.answers(identity)).isTrue();
		assertThat(read.answers(ReadingIdentity.of(reading(18)))).isFalse();
	}

	@Test
	void readsTheSeqAloneAsAV1DeviceSentItAnswersAnyReadingUnderIt() {
		Correlation read = Correlation.parse("17".getBytes(StandardCharsets.UTF_8));

		assertThat(read).isEqualTo(new Correlation(17, null, 0));
		assertThat(read.answers(ReadingIdentity.of(reading(17)))).isTrue();
	}

	@Test
	void readsNothingFromCorrelationDataOfAnotherForm() {
		for (String data : new String[] { "", "corr-7", "17:abc:1", "-3", "99999999999999999999", "17:" + "A".repeat(16)
				+ ":1", "17:" + "a".repeat(16) + ":" }) {
			assertThat(Correlation.parse(data.getBytes(StandardCharsets.UTF_8))).as(data).isNull();
		}
		assertThat(Correlation.parse(null)).isNull();
	}

}
