"""The service as an operator runs it: workers, gc, crashes."""

import email.utils
import re
import socket
import struct
import subprocess
import sys
import time
import uuid

import pytest
import requests

from tests.conftest import free_port
from tests.e2e.conftest import Service, service_conf


def headers(project='ops'):
    return {'Client-ID': str(uuid.uuid4()), 'X-Project-ID': project}


def test_workers_share_one_store(service):
    hdrs = headers()
    url = f'{service.url}/v2/queues/shared/messages'
    for n in range(20):  # spread over both workers by gunicorn
        assert requests.post(url, json={'messages': [{'body': n}]},
                             headers=hdrs).status_code == 201
    listed = []
    marker = None
    while True:
        params = {'echo': 'true', 'limit': 20}
        if marker:
            params['marker'] = marker
        page = requests.get(url, params=params, headers=hdrs).json()
        if not page['messages']:
            break
        listed += [m['body'] for m in page['messages']]
        marker = page['links'][0]['href'].split('marker=')[1]
    assert listed == list(range(20))


def test_requests_are_parsed_by_gunicorns_c_parser(service):
    # the test set-up installs zaqar-lite[fast]; without gunicorn_h1c (or
    # with a setting that rules it out) gunicorn would use its Python
    # parser, and the start-up log says so
    assert 'Parsing requests with gunicorn_h1c' in \
        service.log_path.read_text()


def test_every_answer_is_dated_the_second_it_is_sent(service):
    # the workers keep the Date text per second (gunicorn_caches.py)
    seconds = set()
    deadline = time.monotonic() + 2.5
    with requests.Session() as session:  # kept alive: one worker's thread
        while time.monotonic() < deadline:
            before = int(time.time())
            answer = session.get(f'{service.url}/v2/ping', headers=headers())
            after = time.time()
            dated = email.utils.parsedate_to_datetime(
                answer.headers['Date']).timestamp()
            assert before <= dated <= after, answer.headers['Date']
            seconds.add(dated)
            time.sleep(0.05)
    assert len(seconds) >= 2  # the text moved on with the clock


# struct tcp_info (linux/tcp.h, only ever extended): tcpi_data_segs_in, the
# segments with data a socket has received, is the u32 at this offset
TCPI_DATA_SEGS_IN = 152


def data_segments_in(sock):
    # Linux 4.6 and later (the service runs on Linux)
    info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    assert len(info) >= TCPI_DATA_SEGS_IN + 4, 'no tcpi_data_segs_in'
    return struct.unpack_from('I', info, TCPI_DATA_SEGS_IN)[0]


def test_a_small_answer_comes_in_one_segment(service):
    # the workers send an answer's head with its body (one_write.py);
    # gunicorn alone sends them as two segments
    request = (f'GET /v2 HTTP/1.1\r\nHost: x\r\n'
               f'Client-ID: {uuid.uuid4()}\r\nX-Project-ID: ops\r\n'
               '\r\n').encode()
    with socket.create_connection(('127.0.0.1', service.port),
                                  timeout=10) as sock:
        for _ in range(3):
            before = data_segments_in(sock)
            sock.sendall(request)
            answer = b''
            while b'\r\n\r\n' not in answer:
                answer += sock.recv(65536)
            head, _, body = answer.partition(b'\r\n\r\n')
            length = int(re.search(rb'content-length: *(\d+)', head,
                                   re.IGNORECASE).group(1))
            while len(body) < length:
                body += sock.recv(65536)
            assert head.startswith(b'HTTP/1.1 200') and body, answer
            time.sleep(0.2)  # anything more the server sends arrives
            assert data_segments_in(sock) - before == 1


def test_gc_command_runs_once_and_reports(service):
    done = subprocess.run(
        [sys.executable, '-m', 'zaqar_lite.cli', 'gc', '--config-file',
         str(service.conf_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert set(eval(done.stdout.strip().replace('null', 'None'))) >= \
        {'messages', 'claims'}


def test_acknowledged_posts_survive_kill_9_of_every_process(tmp_path):
    service = Service(service_conf(tmp_path))
    service.start()
    hdrs = headers('durable')
    url = f'{service.url}/v2/queues/d/messages'
    acknowledged = []
    for n in range(30):
        resp = requests.post(url, json={'messages': [{'body': n}]},
                             headers=hdrs)
        assert resp.status_code == 201
        acknowledged.append(resp.json()['resources'][0].rsplit('/', 1)[1])
    service.kill_all()
    service.start()
    try:
        found = requests.get(url, params={'ids': ','.join(acknowledged[:20])},
                             headers=hdrs).json()['messages']
        found += requests.get(url, params={'ids': ','.join(acknowledged[20:])},
                              headers=hdrs).json()['messages']
        assert sorted(m['id'] for m in found) == sorted(acknowledged)
    finally:
        service.stop()


def test_bad_configuration_stops_the_server_loudly(tmp_path):
    conf = tmp_path / 'zaqar.conf'
    conf.write_text('[drivers]\nmessage_store = nosuchstore\n')
    done = subprocess.run(
        [sys.executable, '-m', 'zaqar_lite.cli', 'serve', '--config-file',
         str(conf)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert 'nosuchstore' in done.stderr and 'sqlite' in done.stderr


@pytest.mark.parametrize('store', ['message_store', 'management_store'])
def test_unreachable_mongodb_stops_the_server_with_a_clear_error(tmp_path,
                                                                 store):
    uri = f'mongodb://zaqar:s3cret@127.0.0.1:{free_port()}/'
    conf = service_conf(tmp_path, **{
        'DEFAULT': {'pooling': store == 'management_store'},
        'drivers': {store: 'mongodb'},
        f'drivers:{store}:mongodb': {'uri': uri,
                                     'server_selection_timeout': 0.5}})
    done = subprocess.run(
        [sys.executable, '-m', 'zaqar_lite.cli', 'serve', '--config-file',
         str(conf)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f'[drivers] {store}' in done.stderr
    assert 'zaqar:***@127.0.0.1' in done.stderr and 'cannot be reached' in \
        done.stderr
    assert 's3cret' not in done.stderr
