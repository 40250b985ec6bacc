# syntax=docker/dockerfile:1
# One recipe for the three services, chosen by MODULE (docker-compose.yml passes it):
#   docker build --build-arg MODULE=relay-service -t decibel/relay-service .
# The image holds no configuration and no credential: everything comes from the environment at run time.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /build
# the wrapper and the POMs alone first: the layer with Maven and every dependency is rebuilt only when a POM changes.
# Maven reads every module of the root POM, so each one's POM is here (.ci/compose-proof checks that none is missing)
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY telemetry-contract/pom.xml telemetry-contract/
COPY mqtt-support/pom.xml mqtt-support/
COPY local-stack/pom.xml local-stack/
COPY test-support/pom.xml test-support/
COPY publisher-service/pom.xml publisher-service/
COPY subscriber-service/pom.xml subscriber-service/
COPY relay-service/pom.xml relay-service/
COPY bench/pom.xml bench/
COPY e2e-tests/pom.xml e2e-tests/
ARG MODULE
RUN test -n "${MODULE}" || { echo "--build-arg MODULE=<service module> is required" >&2; exit 1; }
# only what the service needs: -am takes the modules it builds on; maven.test.skip leaves out its tests and, with
# them, the test-support module (a profile of each service), so neither the embedded broker nor the database is
# resolved here
RUN ./mvnw -B -q -pl "${MODULE}" -am -Dmaven.test.skip=true dependency:go-offline
COPY telemetry-contract/src/ telemetry-contract/src/
COPY mqtt-support/src/ mqtt-support/src/
COPY ${MODULE}/src/ ${MODULE}/src/
RUN ./mvnw -B -q -pl "${MODULE}" -am -Dmaven.test.skip=true package \
	&& java -Djarmode=tools -jar "${MODULE}/target/${MODULE}.jar" extract --layers --launcher --destination /extracted

FROM eclipse-temurin:17-jre
# the health checks of docker-compose.yml call curl: the Temurin images ship it, install it should one stop doing so
RUN command -v curl >/dev/null \
	|| { apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*; }
# a user of its own; /var/lib/decibel holds the publisher's seq counter (a named volume in compose takes its owner)
RUN groupadd --system decibel \
	&& useradd --system --gid decibel --home-dir /var/lib/decibel --shell /usr/sbin/nologin decibel \
	&& mkdir -p /var/lib/decibel && chown decibel:decibel /var/lib/decibel
WORKDIR /app
# Spring Boot's layers, the least often changed first
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
USER decibel
# C1 only, as the benchmark runs the services: on a small machine C2's compilations cost more than they bring
# (docs/performance.md); JAVA_TOOL_OPTIONS adds to or overrides these
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:TieredStopAtLevel=1", "org.springframework.boot.loader.launch.JarLauncher"]
