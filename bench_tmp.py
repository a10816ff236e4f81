import time, gc
import tracker
from tracker import create_app
import tests.conftest  # the test process's heap
create_app({"TESTING": True})
N=60
t=time.process_time()
for _ in range(N): a=create_app({"TESTING": True})
print("create_app ms", (time.process_time()-t)/N*1000, gc.get_count(), len(gc.get_objects()))
