# Drives a command through a real pseudo-terminal, for the console tests:
#   python3 pty-drive.py STEPS_JSON -- command args...
# STEPS_JSON is a list of {"send": text}, {"expect": regex, "timeout": seconds} and {"sleep": seconds}.
# Prints everything the terminal showed; exits 0 when every expect matched, 3 when
# one timed out, and with the command's own code when it ends first.
import json, os, pty, re, select, sys, time

steps = json.loads(sys.argv[1])
command = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

seen = b''

def read_for(seconds):
    global seen
    ready, _, _ = select.select([fd], [], [], seconds)
    if not ready:
        return False
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        return None
    if not chunk:
        return None
    seen += chunk
    return True

status = 0
mark = 0
for step in steps:
    if 'send' in step:
        os.write(fd, step['send'].encode())
        continue
    if 'sleep' in step:
        end = time.time() + step['sleep']
        while time.time() < end and read_for(end - time.time()) is not None:
            pass
        continue
    pattern = re.compile(step['expect'].encode())
    deadline = time.time() + step.get('timeout', 15)
    while True:
        match = pattern.search(seen, mark)
        if match:
            mark = match.end()
            break
        left = deadline - time.time()
        if left <= 0 or read_for(left) is None:
            status = 3
            break
    if status:
        sys.stdout.write('pty-drive: no %r within %ss\n' % (step['expect'], step.get('timeout', 15)))
        break

if status == 0:
    end = time.time() + 20
    while time.time() < end and read_for(end - time.time()) is not None:
        pass
    # The terminal closes a moment before the command is reaped: wait for it up to the same deadline.
    ended, code = os.waitpid(pid, os.WNOHANG)
    while ended == 0 and time.time() < end:
        time.sleep(0.05)
        ended, code = os.waitpid(pid, os.WNOHANG)
    if ended == 0:
        sys.stdout.write('pty-drive: the command did not end\n')
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        status = 4
    else:
        status = os.waitstatus_to_exitcode(code)
else:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.stdout.write(seen.decode('utf8', 'replace'))
sys.exit(status)
