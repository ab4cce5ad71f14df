"""Several processes claiming from one queue at once."""

import multiprocessing

from tests.storage.contract.conftest import build_driver

MESSAGES = 400
WORKERS = 4


def consume(settings, results):
    """Claim and delete until the queue is empty; report what was taken."""
    driver = build_driver(*settings)
    claims, messages = driver.claim_controller, driver.message_controller
    taken, empty_rounds = [], 0
    while empty_rounds < 3:
        claim_id, held = claims.create('q', {'ttl': 60, 'grace': 60},
                                       project='p', limit=7)
        if not held:
            empty_rounds += 1
            continue
        empty_rounds = 0
        for message in held:
            taken.append(message['body'])
            messages.delete('q', message['id'], project='p', claim=claim_id)
    driver.close()
    results.put(taken)


def test_concurrent_consumers_never_share_a_message(driver_settings, driver):
    driver.queue_controller.create('q', project='p')
    for start in range(0, MESSAGES, 100):
        driver.message_controller.post(
            'q', [{'body': n, 'ttl': 600} for n in range(start, start + 100)],
            'producer', project='p')
    context = multiprocessing.get_context('spawn')
    results = context.Queue()
    workers = [context.Process(target=consume, args=(driver_settings, results))
               for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    taken = [body for _ in workers for body in results.get(timeout=120)]
    for worker in workers:
        worker.join(30)
    assert len(taken) == len(set(taken)), 'a message was delivered twice'
    assert sorted(taken) == list(range(MESSAGES)), 'a message was lost'
