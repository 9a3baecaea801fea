import sqlite3, glob, time, sys, os, random, statistics, json
variant = sys.argv[1]; BATCH=int(sys.argv[2]) if len(sys.argv)>2 else 30; NB=3000
path = f"/tmp/exp/db-{variant}.sqlite"
for suf in ("", "-wal", "-shm"):
    try: os.remove(path+suf)
    except FileNotFoundError: pass
c = sqlite3.connect(path, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=NORMAL"); c.execute("PRAGMA foreign_keys=ON"); c.execute("PRAGMA wal_autocheckpoint=0")
for f in sorted(glob.glob("/work/main/app/migrations/sqlite/*.sql")):
    c.executescript(open(f).read())
def refts(opts):
    c.execute("DROP TABLE messages_fts")
    c.execute("CREATE VIRTUAL TABLE messages_fts USING fts5(body, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'" + opts + ")")
if 'dnone' in variant: refts(", detail = none, columnsize = 0")
if 'dcol' in variant: refts(", detail = column, columnsize = 0")
if 'cs0' in variant: refts(", columnsize = 0")
if 'nofts' in variant: c.execute("DROP TRIGGER messages_fts_insert")
if 'noevidx' in variant: c.execute("DROP INDEX events_conversation_idx")
if 'am16' in variant: c.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 16)")
if 'am0' in variant: c.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES('automerge', 0)")
if 'noconvidx' in variant:
    for ix in ["conversations_activity_key_idx","conversations_inbox_activity_key_idx","conversations_status_activity_idx","conversations_close_reason_idx"]:
        c.execute(f"DROP INDEX {ix}")
c.execute("BEGIN")
c.execute("INSERT INTO inboxes (id, name, public_key, secret, created_at) VALUES (1, 'Support', 'pk', 's', 0)")
for i in range(1, 2001):
    c.execute("INSERT INTO customers (id, name, first_seen_at, last_seen_at) VALUES (?, ?, 0, 0)", (i, f"Cust {i}"))
    c.execute("INSERT INTO conversations (id, inbox_id, customer_id, status, created_at, activity_at) VALUES (?, 1, ?, 'open', 0, 0)", (i, i))
c.execute("COMMIT")
if 'nomsgidx' in variant: c.execute("DROP INDEX messages_conversation_idx")
c.execute("BEGIN")
seedm=[]; seede=[]
k=0
for i in range(1, 2001):
    for j in range(50):
        k+=1; seedm.append((k, i, 'customer', None, 'Cust', 'seed text number %d about orders' % k, 'c%d' % k, 'public', 0, 1))
        seede.append(('message', 1, i, 'inbox', '{"x":1}', 1))
c.executemany("INSERT INTO messages (id, conversation_id, author_kind, author_id, author_name, body, client_id, visibility, whisper, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)", seedm)
c.executemany("INSERT INTO events (kind, inbox_id, conversation_id, audience, payload, created_at) VALUES (?,?,?,?,?,?)", seede)
c.execute("COMMIT")
c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
words = "hello order refund shipping please thanks help account password invoice delivery broken widget late package".split()
def body(): return " ".join(random.choice(words) for _ in range(8)) + f" {random.randint(0,10**6)}"
mid = 200001; times=[]; parts=[]
for b in range(NB):
    chats = random.sample(range(1937, 2001), BATCH)
    bodies=[body() for _ in chats]
    vals=[]; uv=[]; ev=[]
    for k,ch in enumerate(chats):
        vals += [mid+k, ch, 'customer', None, 'Cust', bodies[k], f"c{mid+k}", 'public', 0, 1000+b]
        uv += [ch, 1000+b, 'preview text', 1000+b]
        ev += ['message', 1, ch, 'inbox', json.dumps({"id": mid+k, "body": bodies[k]}), 1000+b]
    mid += BATCH
    t0=time.process_time()
    c.execute("BEGIN IMMEDIATE"); T=[time.process_time()]

    c.execute("INSERT INTO messages (id, conversation_id, author_kind, author_id, author_name, body, client_id, visibility, whisper, created_at) VALUES " + ",".join(["(?,?,?,?,?,?,?,?,?,?)"]*BATCH), vals)
    T.append(time.process_time())
    c.execute("WITH v (id, at, preview, first_at) AS (VALUES " + ",".join(["(?,?,?,?)"]*BATCH) + ") UPDATE conversations SET last_message_at = v.at, activity_at = v.at, last_message_preview = v.preview, last_customer_message_at = v.at, awaiting_since = COALESCE(conversations.awaiting_since, v.first_at) FROM v WHERE conversations.id = v.id", uv)
    T.append(time.process_time())
    c.execute("INSERT INTO events (kind, inbox_id, conversation_id, audience, payload, created_at) VALUES " + ",".join(["(?,?,?,?,?,?)"]*BATCH), ev)
    T.append(time.process_time())
    c.execute("COMMIT")
    T.append(time.process_time())
    times.append(time.process_time()-t0); parts.append([T[i+1]-T[i] for i in range(4)])
    if b == 999: times=[]; parts=[]  # warm
print(variant, BATCH, "mean ms/batch %.3f  p50 %.3f  us/send %.1f" % (statistics.mean(times)*1e3, statistics.median(times)*1e3, statistics.mean(times)*1e6/BATCH))

print("  ins %.3f upd %.3f ev %.3f commit %.3f" % tuple([statistics.mean(p[i] for p in parts)*1e3 for i in range(4)]))
