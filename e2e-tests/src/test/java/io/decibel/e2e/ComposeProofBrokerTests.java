package io.decibel.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.decibel.testsupport.SecuredMosquitto;
import org.junit.jupiter.api.Test;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Mosquitto that stands in for EMQX in the compose proof ({@code compose/ci/mosquitto}) enforces the rules that
 * the security tests prove on Mosquitto ({@link SecuredMosquitto#DECIBEL_ACL}), which are {@code compose/emqx/acl.conf}
 * in Mosquitto's syntax: one set of rules, whichever broker the stack runs on.
 */
class ComposeProofBrokerTests {

	@Test
	void enforcesTheAccessRulesOfTheSecurityTests() throws IOException {
		// given
		Path acl = projectHome().resolve("compose/ci/mosquitto/acl");

		// when
		List<String> rules = rules(Files.readString(acl));

		// then
		assertThat(rules).isNotEmpty().isEqualTo(rules(SecuredMosquitto.DECIBEL_ACL));
	}

	static List<String> rules(String acl) {
		return acl.lines().map(String::strip).filter((line) -> !line.isEmpty() && !line.startsWith("#")).toList();
	}

}
