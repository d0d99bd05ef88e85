"""Where things live: data dirs, the files kept beside a store, USB sticks."""
