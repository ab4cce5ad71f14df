"""The directory queue protocol, on a real file system."""

import multiprocessing
import os

from zaqar_lite.filer.queue import FileQueue


def test_enqueue_publishes_complete_files_in_order(tmp_path):
    files = FileQueue(tmp_path)
    for n in range(3):
        files.enqueue(f'message {n}'.encode())
    assert sorted(os.listdir(files.tmp)) == []
    taken = files.take(10)
    assert [p.read_bytes() for p in taken] == \
        [b'message 0', b'message 1', b'message 2']
    assert files.waiting() == 0
    assert all(p.parent == files.pending for p in taken)


def test_done_fail_forward_release(tmp_path):
    files, other = FileQueue(tmp_path / 'a'), FileQueue(tmp_path / 'b')
    for n in range(4):
        files.enqueue(str(n).encode())
    first, second, third, fourth = files.take(4)
    files.done(first)
    failed = files.fail(second, 'bad body')
    forwarded = files.forward(third, other)
    files.release(fourth)
    assert not first.exists()
    assert failed.read_bytes() == b'1'
    assert (files.errors / f'{failed.name}.reason').read_text() == \
        'bad body\n'
    assert forwarded.parent == other.incoming and forwarded.read_bytes() == \
        b'2'
    assert [p.read_bytes() for p in files.take(5)] == [b'3']


def test_recover_returns_only_old_pending_files(tmp_path):
    files = FileQueue(tmp_path)
    files.enqueue(b'x')
    [taken] = files.take(1)
    assert files.recover(older_than=3600) == 0
    assert files.recover(older_than=0) == 1
    assert not taken.exists() and files.waiting() == 1


def take_all(root, results):
    files = FileQueue(root)
    mine = []
    while True:
        taken = files.take(7)
        if not taken:
            break
        mine += [p.read_bytes() for p in taken]
        for path in taken:
            files.done(path)
    results.put(mine)


def test_concurrent_takers_never_share_a_file(tmp_path):
    files = FileQueue(tmp_path)
    for n in range(600):
        files.enqueue(str(n).encode())
    context = multiprocessing.get_context('fork')
    results = context.Queue()
    workers = [context.Process(target=take_all, args=(tmp_path, results))
               for _ in range(4)]
    for worker in workers:
        worker.start()
    got = [item for _ in workers for item in results.get(timeout=60)]
    for worker in workers:
        worker.join(10)
    assert len(got) == len(set(got)) == 600
