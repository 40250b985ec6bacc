package io.decibel.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedInfrastructureTests {

	@Test
	void brokerDeliversAPublishedMessageToASubscriber() throws Exception {
		// given
		String url = TestInfrastructure.mqttUrl();
		String topic = TestInfrastructure.uniqueName("probe") + "/noise";
		BlockingQueue<String> received = new ArrayBlockingQueue<>(1);
		MqttClient subscriber = new MqttClient(url, TestInfrastructure.uniqueName("sub"), new MemoryPersistence());
		MqttClient publisher = new MqttClient(url, TestInfrastructure.uniqueName("pub"), new MemoryPersistence());
		subscriber.connect();
		publisher.connect();
		// Paho v5's subscribe(String, int, listener) recurses forever (paho.mqtt.java#827): use the array form
		subscriber.subscribe(new MqttSubscription[] { new MqttSubscription(topic, 1) },
				new IMqttMessageListener[] { (t, message) -> received.add(new String(message.getPayload())) });

		// when
		publisher.publish(topic, "hello".getBytes(), 1, false);

		// then
		assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("hello");
		publisher.disconnect();
		subscriber.disconnect();
	}

	@Test
	void databaseAnswersSqlOnAFreshSchema() throws Exception {
		String url = TestInfrastructure.jdbcUrl(TestInfrastructure.uniqueName("probe"));
		try (Connection connection = DriverManager.getConnection(url, TestInfrastructure.dbUsername(),
				TestInfrastructure.dbPassword()); Statement statement = connection.createStatement()) {
			statement.execute("create table t (id int primary key)");
			statement.execute("insert into t values (1), (2)");
			ResultSet rows = statement.executeQuery("select count(*) from t");
			rows.next();
			assertThat(rows.getInt(1)).isEqualTo(2);
		}
	}

}
