package io.decibel.relay.quarantine;

import org.springframework.data.jpa.repository.JpaRepository;

public interface QuarantineRepository extends JpaRepository<QuarantinedPayload, Long> {
}
