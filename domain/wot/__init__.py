"""Web of Trust: pure rules and graph mathematics over contact lists read from the relays."""
