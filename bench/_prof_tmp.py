import os, time, sys

os.environ.setdefault("JENJANG_ENV", "testing")
from bench.assess import _app, OUT_DIR
from sqlalchemy import event

kims = int(sys.argv[1])
path = sys.argv[2] if len(sys.argv) > 2 else "/"
app = _app(f"sqlite:///{OUT_DIR / f'pages-{kims}.sqlite3'}")
with app.app_context():
    from tracker.extensions import db

    c = app.test_client()
    assert c.post("/login", data={"username": "bench", "password": "bench"}).status_code == 302
    c.get(path)
    times = []

    def before(conn, cursor, stmt, params, context, many):
        context._t = time.process_time()

    def after(conn, cursor, stmt, params, context, many):
        times.append(((time.process_time() - context._t) * 1000, stmt[:150].replace("\n", " ")))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    t = time.perf_counter()
    r = c.get(path)
    total = (time.perf_counter() - t) * 1000
    print(
        r.status_code,
        f"total {total:.1f} ms, {len(times)} queries, sql {sum(x for x, _ in times):.1f} ms",
    )
    for ms, s in sorted(times, reverse=True)[:8]:
        print(f"{ms:8.1f}  {s}")
    raise SystemExit
    import cProfile, pstats

    pr = cProfile.Profile()
    pr.enable()
    c.get(path)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
