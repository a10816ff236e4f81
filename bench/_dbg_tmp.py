from tracker import create_app

app = create_app("development")
with app.app_context():
    from tracker.extensions import db
    from tracker.models import User
    from sqlalchemy import select
    from tracker.services.reports import dashboard

    u = db.session.scalar(select(User).where(User.role == "admin"))
    d = dashboard.summary(u)
    t = d.transitions
    print(t.before.code, t.after.code, t.before.framework_id, t.after.framework_id, d.tier_names)
    print(t.cells)
    print([(m.name, m.before, m.after, m.steps) for m in t.up])
    print([(m.name, m.before, m.after, m.steps) for m in t.down])
