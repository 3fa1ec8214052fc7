from concurrent.futures import ThreadPoolExecutor

import msgspec

from adapters.relay.verification import EventVerifier, VerifiedSignatures
from domain.nostr.event import Event
from domain.nostr.serialization import event_id
from domain.nostr.signing import generate_secret_key, sign_event

SECRET = generate_secret_key()


def note(content: str) -> Event:
    return sign_event(SECRET, kind=1, tags=[], content=content, created_at=1)


def test_a_remembered_signature_does_not_let_altered_content_through() -> None:
    verifier = EventVerifier(None)
    genuine = note("hello")
    assert verifier.check(genuine)
    altered = msgspec.structs.replace(genuine, content="goodbye")
    assert not verifier.check(altered)


def test_n1_a_remembered_signature_does_not_let_an_altered_event_with_its_new_id_through() -> None:
    verifier = EventVerifier(None)
    genuine = note("hello")
    assert verifier.check(genuine)
    altered = msgspec.structs.replace(genuine, content="goodbye")
    assert not verifier.check(msgspec.structs.replace(altered, id=event_id(altered)))


def test_n1_tampered_sig_is_rejected_even_after_the_genuine_one_was_seen() -> None:
    verifier = EventVerifier(None)
    genuine = note("hello")
    assert verifier.check(genuine)
    flipped = genuine.sig[:-1] + ("0" if genuine.sig[-1] != "0" else "1")
    assert not verifier.check(msgspec.structs.replace(genuine, sig=flipped))


async def test_batches_run_on_the_executor_and_keep_order() -> None:
    events = [note(str(n)) for n in range(20)]
    events[3] = msgspec.structs.replace(events[3], content="x")
    with ThreadPoolExecutor(2) as executor:
        verifier = EventVerifier(executor)
        assert await verifier.check_async(events) == [n != 3 for n in range(20)]


def test_the_signature_memory_is_bounded_and_least_recently_used_goes_first() -> None:
    memory = VerifiedSignatures(2)
    memory.add(("a", "1"))
    memory.add(("b", "2"))
    assert ("a", "1") in memory
    memory.add(("c", "3"))
    assert ("a", "1") in memory and ("c", "3") in memory
    assert ("b", "2") not in memory
