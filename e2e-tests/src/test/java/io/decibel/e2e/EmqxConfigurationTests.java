package io.decibel.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.decibel.contract.Topics;
import io.decibel.e2e.ErlangTerms.Atom;
import io.decibel.e2e.ErlangTerms.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The EMQX configuration of {@code docker-compose.yml} and {@code compose/emqx}, checked without EMQX: the HOCON values
 * of its environment parse and say what EMQX needs, and the rules of {@code acl.conf}, evaluated as EMQX's file
 * authorizer does (first match decides, {@code ${username}} put in, MQTT topic matching), allow exactly what the
 * docs/security.md says, for the topics the contract ({@link Topics}) makes: change a topic there and these
 * tests fail until the ACL follows.
 */
class EmqxConfigurationTests {

	/** The relay's MQTT 5 Receive Maximum ({@code decibel.mqtt.receive-maximum}, docs/operations.md): EMQX grants up to max_inflight. */
	static final int RELAY_RECEIVE_MAXIMUM = 1000;

	/** A relay outage the broker must hold through, at the rate docs/performance.md measures the relay at. */
	static final int OUTAGE_SECONDS = 5 * 60;

	static final int READINGS_PER_SECOND = 1000;

	final Topics topics = Topics.defaults();

	ComposeFile compose;

	Map<String, String> emqx;

	@BeforeEach
	void readComposeFile() throws IOException {
		this.compose = ComposeFile.load(projectHome());
		this.emqx = this.compose.environment("emqx");
	}

	@Test
	void everyEmqxSettingOfTheComposeFileIsAHoconValue() {
		assertThat(this.emqx.keySet()).filteredOn((name) -> name.startsWith("EMQX_")).isNotEmpty().allSatisfy(
				(name) -> assertThatNoException().as(name).isThrownBy(() -> hocon(name)));
	}

	@Test
	void clientsLogInWithTheAccountsStartShWrites() throws IOException {
		// given: what start.sh writes, and where
		String startSh = Files.readString(projectHome().resolve("compose/emqx/start.sh"));
		Matcher written = Pattern.compile("}\\s*>\\s*(\\S+)").matcher(startSh);
		assertThat(written.find()).as("start.sh writes a file").isTrue();

		// then: one password authenticator on EMQX's built-in database, user names as ids, seeded from that file
		List<? extends Config> authenticators = hocon("EMQX_AUTHENTICATION").getConfigList("value");
		assertThat(authenticators).hasSize(1);
		Config authenticator = authenticators.get(0);
		assertThat(authenticator.getString("mechanism")).isEqualTo("password_based");
		assertThat(authenticator.getString("backend")).isEqualTo("built_in_database");
		assertThat(authenticator.getString("user_id_type")).isEqualTo("username");
		assertThat(authenticator.getString("bootstrap_file")).isEqualTo(written.group(1));
		// plain passwords, in the columns EMQX's bootstrap CSV has
		assertThat(authenticator.getString("bootstrap_type")).isEqualTo("plain");
		assertThat(startSh).contains("echo \"user_id,password,is_superuser\"");
	}

	@Test
	void clientsMayDoOnlyWhatTheMountedAclFileAllows() {
		// given: where compose mounts compose/emqx in the container
		String mount = String.valueOf(this.compose.service("emqx").get("volumes"));
		Matcher target = Pattern.compile("\\./compose/emqx:([^:,\\]]+)").matcher(mount);
		assertThat(target.find()).as("compose/emqx is mounted: " + mount).isTrue();

		// then: the one authorization source is that acl.conf, and what it does not allow is denied
		List<? extends Config> sources = hocon("EMQX_AUTHORIZATION__SOURCES").getConfigList("value");
		assertThat(sources).hasSize(1);
		assertThat(sources.get(0).getString("type")).isEqualTo("file");
		assertThat(sources.get(0).getBoolean("enable")).isTrue();
		assertThat(sources.get(0).getString("path")).isEqualTo(target.group(1) + "/acl.conf");
		assertThat(projectHome().resolve("compose/emqx/acl.conf")).isRegularFile();
		assertThat(hocon("EMQX_AUTHORIZATION__NO_MATCH").getString("value")).isEqualTo("deny");
	}

	@Test
	void theBrokerHoldsAFiveMinuteRelayOutageAndGrantsTheRelaysReceiveMaximum() {
		int maxInflight = hocon("EMQX_MQTT__MAX_INFLIGHT").getInt("value");
		int maxQueue = hocon("EMQX_MQTT__MAX_MQUEUE_LEN").getInt("value");

		assertThat(maxInflight).isBetween(RELAY_RECEIVE_MAXIMUM, 65535);
		assertThat(maxQueue).isGreaterThanOrEqualTo(OUTAGE_SECONDS * READINGS_PER_SECOND);
	}

	@Test
	void aDevicePublishesOnlyItsOwnReadingsAndReadsOnlyItsOwnAcks() throws IOException {
		Acl acl = Acl.read();
		String me = this.emqx.get("PUBLISHER_DEVICE_ID");
		String other = "other-device";

		assertThat(acl.allows(me, "publish", this.topics.readings(me))).isTrue();
		assertThat(acl.allows(me, "subscribe", this.topics.acks(me))).isTrue();
		assertThat(acl.allows(me, "subscribe", this.topics.alert(me))).isTrue();
		assertThat(acl.allows(me, "subscribe", this.topics.alert(other))).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.alert("+"))).isFalse();
		assertThat(acl.allows(me, "publish", this.topics.alert(me))).isFalse();

		assertThat(acl.allows(me, "publish", this.topics.readings(other))).isFalse();
		assertThat(acl.allows(me, "publish", this.topics.acks(me))).isFalse();
		assertThat(acl.allows(me, "publish", this.topics.acks(other))).isFalse();
		assertThat(acl.allows(me, "publish", this.topics.deadLetter())).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.acks(other))).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.acks("+"))).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.readings(me))).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.allReadings())).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.sharedReadings("relay"))).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.deadLetter())).isFalse();
		assertThat(acl.allows(me, "subscribe", "#")).isFalse();
		assertThat(acl.allows(me, "subscribe", this.topics.root() + "/#")).isFalse();
	}

	@Test
	void subscribersReadReadingsAndNothingElse() throws IOException {
		Acl acl = Acl.read();

		assertThat(acl.allows("subscriber", "subscribe", this.topics.allReadings())).isTrue();
		assertThat(acl.allows("subscriber", "subscribe", this.topics.sharedReadings("dashboards"))).isTrue();

		assertThat(acl.allows("subscriber", "publish", this.topics.readings("device-1"))).isFalse();
		assertThat(acl.allows("subscriber", "publish", this.topics.acks("device-1"))).isFalse();
		assertThat(acl.allows("subscriber", "publish", this.topics.alert("device-1"))).isFalse();
		assertThat(acl.allows("subscriber", "subscribe", this.topics.acks("+"))).isFalse();
		assertThat(acl.allows("subscriber", "subscribe", this.topics.deadLetter())).isFalse();
		assertThat(acl.allows("subscriber", "subscribe", "#")).isFalse();
	}

	@Test
	void theRelayReadsReadingsThroughItsShareAndWritesAcksAndDeadLetters() throws IOException {
		Acl acl = Acl.read();

		assertThat(acl.allows("relay", "subscribe", this.topics.sharedReadings("relay"))).isTrue();
		assertThat(acl.allows("relay", "publish", this.topics.acks("device-1"))).isTrue();
		assertThat(acl.allows("relay", "publish", this.topics.deadLetter())).isTrue();
		assertThat(acl.allows("relay", "publish", this.topics.alert("device-1"))).isTrue();

		assertThat(acl.allows("relay", "publish", this.topics.readings("device-1"))).isFalse();
		assertThat(acl.allows("relay", "subscribe", this.topics.acks("+"))).isFalse();
		assertThat(acl.allows("relay", "subscribe", this.topics.deadLetter())).isFalse();
		assertThat(acl.allows("relay", "subscribe", this.topics.sharedReadings("other-group"))).isFalse();
		assertThat(acl.allows("relay", "subscribe", "#")).isFalse();
	}

	@Test
	void everyTopicTheAclAllowsIsOneOfTheContract() throws IOException {
		// ${username}, as EMQX puts it in, for a device
		String device = "device-1";
		List<String> contract = List.of(this.topics.readings(device), this.topics.acks(device),
				this.topics.alert(device), this.topics.alert("+"), this.topics.allReadings(), this.topics.acks("+"),
				this.topics.deadLetter(),
				this.topics.sharedReadings("relay"), this.topics.sharedReadings("+"));

		assertThat(Acl.read().allowedTopics(device)).isNotEmpty().allSatisfy(
				(topic) -> assertThat(contract).as("topics of the contract").contains(topic));
	}

	/** A variable of the EMQX service as EMQX reads it: a HOCON value, here under the key {@code value}. */
	private Config hocon(String variable) {
		String value = this.emqx.get(variable);
		assertThat(value).as(variable + " in the emqx service's environment").isNotNull();
		return ConfigFactory.parseString("value = " + value);
	}

	/**
	 * The rules of {@code compose/emqx/acl.conf} as EMQX's file authorizer applies them: the first rule whose client,
	 * action and topic match decides; no match is a denial ({@code EMQX_AUTHORIZATION__NO_MATCH}).
	 */
	record Acl(List<Tuple> rules) {

		static Acl read() throws IOException {
			Path file = projectHome().resolve("compose/emqx/acl.conf");
			List<Tuple> rules = new ArrayList<>();
			for (Object term : ErlangTerms.consult(Files.readString(file))) {
				rules.add((Tuple) term);
			}
			return new Acl(rules);
		}

		boolean allows(String username, String action, String topic) {
			for (Tuple rule : this.rules) {
				String permission = ((Atom) rule.get(0)).name();
				if (rule.size() == 2) {
					// {allow | deny, all}
					return permission.equals("allow");
				}
				if (matchesClient(rule.get(1), username) && matchesAction(rule.get(2), action)
						&& topics(rule).stream().anyMatch((filter) -> matchesTopic(filter, username, topic))) {
					return permission.equals("allow");
				}
			}
			return false;
		}

		/** Every topic of an allow rule, with {@code ${username}} put in. */
		List<String> allowedTopics(String username) {
			List<String> allowed = new ArrayList<>();
			for (Tuple rule : this.rules) {
				if (rule.size() == 4 && ((Atom) rule.get(0)).name().equals("allow")) {
					topics(rule).forEach((filter) -> allowed.add(text(filter).replace("${username}", username)));
				}
			}
			return allowed;
		}

		private static List<Object> topics(Tuple rule) {
			@SuppressWarnings("unchecked")
			List<Object> topics = (List<Object>) rule.get(3);
			return topics;
		}

		private static boolean matchesClient(Object who, String username) {
			if (who instanceof Atom all) {
				return all.name().equals("all");
			}
			Tuple condition = (Tuple) who;
			return ((Atom) condition.get(0)).name().equals("username") && condition.get(1).equals(username);
		}

		private static boolean matchesAction(Object action, String requested) {
			String name = ((Atom) ((action instanceof Tuple options) ? options.get(0) : action)).name();
			return name.equals("all") || name.equals(requested);
		}

		/** {@code {eq, Topic}} is the topic itself; a plain filter matches as MQTT topic filters do. */
		private static boolean matchesTopic(Object filter, String username, String topic) {
			if (filter instanceof Tuple eq) {
				return text(eq.get(1)).equals(topic);
			}
			String[] filterWords = text(filter).replace("${username}", username).split("/", -1);
			String[] topicWords = topic.split("/", -1);
			// EMQX: a topic starting with $ is not matched by a wildcard in the first level
			if (topic.startsWith("$") && (filterWords[0].equals("+") || filterWords[0].equals("#"))) {
				return false;
			}
			return matchWords(filterWords, topicWords);
		}

		private static boolean matchWords(String[] filter, String[] topic) {
			for (int i = 0; i < filter.length; i++) {
				if (filter[i].equals("#")) {
					return true;
				}
				if (i >= topic.length || !(filter[i].equals("+") || filter[i].equals(topic[i]))) {
					return false;
				}
			}
			return filter.length == topic.length;
		}

		private static String text(Object term) {
			if (term instanceof Tuple eq) {
				return text(eq.get(1));
			}
			return (String) term;
		}

	}

	@Test
	void theAclReaderReadsErlangTermsAsEmqxWrites() {
		List<Object> terms = ErlangTerms.consult("""
				%% a comment
				{allow, {username, "a"}, subscribe, ["x/+", {eq, "y/#"}]}.
				{deny, all}.
				""");

		assertThat(terms).hasSize(2);
		Tuple rule = (Tuple) terms.get(0);
		assertThat(rule.elements()).containsExactly(new Atom("allow"),
				new Tuple(Arrays.asList(new Atom("username"), "a")), new Atom("subscribe"),
				List.of("x/+", new Tuple(Arrays.asList(new Atom("eq"), "y/#"))));
		assertThat(terms.get(1)).isEqualTo(new Tuple(List.of(new Atom("deny"), new Atom("all"))));
	}

}
