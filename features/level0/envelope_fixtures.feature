Feature: The envelope fixture corpus
  The project keeps sample push bodies with known answers under fixtures/envelopes/.
  Every one of them is pushed on every run, so the corpus can never drift from the
  server's behaviour.

  @L0-ENV-001 @L0-ENV-005 @L0-ENV-006 @L0-OPS-001
  Scenario: Every valid envelope fixture is accepted
    Then every envelope in "fixtures/envelopes/valid" is accepted

  @L0-ENV-003 @L0-ENV-004 @L0-ENV-005 @L0-WF-001 @L1-RET-002
  Scenario: Every invalid envelope fixture is refused with the error its folder names
    Then every envelope in "fixtures/envelopes/invalid" is refused with the error its folder names
