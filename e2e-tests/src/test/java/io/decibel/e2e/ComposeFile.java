package io.decibel.e2e;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code docker-compose.yml} as compose reads it: its values interpolated with the variables of {@code .env.example}
 * ({@code ${VAR}}, {@code ${VAR:-default}}, {@code ${VAR-default}}, {@code $$}), as in a clone where {@code .env} is a
 * copy of the example and the shell sets none of them.
 */
final class ComposeFile {

	/** {@code $$}, {@code ${NAME}}, {@code ${NAME<op><word>}} with op {@code :-}, {@code -}, {@code :?}, {@code ?}. */
	private static final Pattern VARIABLE = Pattern
		.compile("\\$(?:(\\$)|\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*))");

	private final Map<String, Object> services;

	private final Map<String, String> inlineDefaults;

	private final Map<String, String> variables;

	private ComposeFile(Map<String, Object> services, Map<String, String> inlineDefaults,
			Map<String, String> variables) {
		this.services = services;
		this.inlineDefaults = inlineDefaults;
		this.variables = variables;
	}

	static ComposeFile load(Path projectHome) throws IOException {
		Map<String, String> variables = readEnvFile(projectHome.resolve(".env.example"));
		Map<String, Object> root;
		try (Reader reader = Files.newBufferedReader(projectHome.resolve("docker-compose.yml"))) {
			root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
		}
		Map<String, String> inlineDefaults = new LinkedHashMap<>();
		Object interpolated = interpolate(root, variables, inlineDefaults);
		return new ComposeFile(map(map(interpolated, "the file").get("services"), "services"), inlineDefaults,
				variables);
	}

	Set<String> serviceNames() {
		return this.services.keySet();
	}

	/** A service's definition, interpolated: maps, lists and strings as compose would see them. */
	Map<String, Object> service(String name) {
		Object service = this.services.get(name);
		if (service == null) {
			throw new IllegalArgumentException("docker-compose.yml has no service " + name);
		}
		return map(service, name);
	}

	/** A service's {@code environment}, in the map or in the list form, every value a string. */
	Map<String, String> environment(String name) {
		Object environment = service(name).get("environment");
		Map<String, String> variables = new LinkedHashMap<>();
		if (environment instanceof Map<?, ?> entries) {
			entries.forEach((key, value) -> {
				if (value == null) {
					throw new IllegalStateException(name + ": " + key + " takes its value from the shell");
				}
				variables.put(String.valueOf(key), String.valueOf(value));
			});
		}
		else if (environment instanceof List<?> entries) {
			for (Object entry : entries) {
				String[] keyValue = String.valueOf(entry).split("=", 2);
				if (keyValue.length < 2) {
					throw new IllegalStateException(name + ": " + entry + " takes its value from the shell");
				}
				variables.put(keyValue[0], keyValue[1]);
			}
		}
		return variables;
	}

	/** The {@code http://...} URL in the {@code test} command of a service's health check. */
	URI healthCheckUrl(String name) {
		Object test = map(service(name).get("healthcheck"), name + ".healthcheck").get("test");
		String command = (test instanceof List<?> words) ? String.join(" ", words.stream().map(String::valueOf).toList())
				: String.valueOf(test);
		Matcher url = Pattern.compile("https?://\\S+").matcher(command);
		if (!url.find()) {
			throw new IllegalStateException(name + ": no URL in the health check " + command);
		}
		return URI.create(url.group());
	}

	/** Every {@code ${VAR:-default}} of the file, by variable: the values compose uses without {@code .env}. */
	Map<String, String> inlineDefaults() {
		return this.inlineDefaults;
	}

	/** The variables of {@code .env.example}. */
	Map<String, String> exampleVariables() {
		return this.variables;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value, String what) {
		if (!(value instanceof Map<?, ?>)) {
			throw new IllegalStateException(what + " is not a mapping in docker-compose.yml: " + value);
		}
		return (Map<String, Object>) value;
	}

	private static Object interpolate(Object value, Map<String, String> variables, Map<String, String> defaults) {
		if (value instanceof Map<?, ?> entries) {
			Map<String, Object> interpolated = new LinkedHashMap<>();
			entries.forEach((key, entry) -> interpolated.put(String.valueOf(key), interpolate(entry, variables, defaults)));
			return interpolated;
		}
		if (value instanceof List<?> entries) {
			List<Object> interpolated = new ArrayList<>();
			entries.forEach((entry) -> interpolated.add(interpolate(entry, variables, defaults)));
			return interpolated;
		}
		if (value instanceof String text) {
			return interpolate(text, variables, defaults);
		}
		return value;
	}

	private static String interpolate(String text, Map<String, String> variables, Map<String, String> defaults) {
		Matcher matcher = VARIABLE.matcher(text);
		StringBuilder result = new StringBuilder();
		while (matcher.find()) {
			String replacement;
			if (matcher.group(1) != null) {
				replacement = "$";
			}
			else {
				String name = (matcher.group(2) != null) ? matcher.group(2) : matcher.group(5);
				String operator = matcher.group(3);
				String word = (matcher.group(4) != null) ? matcher.group(4) : "";
				String set = variables.get(name);
				boolean unset = (set == null) || (operator != null && operator.startsWith(":") && set.isEmpty());
				if (":-".equals(operator)) {
					defaults.put(name, word);
				}
				if (operator == null || !unset) {
					replacement = (set != null) ? set : "";
				}
				else if (operator.endsWith("-")) {
					replacement = word;
				}
				else {
					throw new IllegalStateException(name + " is required: " + word);
				}
			}
			matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
		}
		matcher.appendTail(result);
		return result.toString();
	}

	private static Map<String, String> readEnvFile(Path file) throws IOException {
		Map<String, String> variables = new LinkedHashMap<>();
		for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
			String trimmed = line.strip();
			if (trimmed.isEmpty() || trimmed.startsWith("#")) {
				continue;
			}
			String[] keyValue = trimmed.split("=", 2);
			if (keyValue.length < 2 || variables.put(keyValue[0].strip(), keyValue[1].strip()) != null) {
				throw new IllegalStateException(file + ": not one KEY=value per variable: " + line);
			}
		}
		return variables;
	}

}
