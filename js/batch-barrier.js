// Lets a set of resolutions that run together send one batch request per repo revision: each
// resolution either arrives (it needs the network) or leaves (it finished without it); when all
// have done one or the other, the arrived URLs are sent together.
export class BatchBarrier {
  #expected;
  #settled = 0;
  #urls = [];
  #fired = false;
  #send;
  #open;
  #gate = new Promise((resolve) => { this.#open = resolve; });

  constructor(expected, send) {
    this.#expected = expected;
    this.#send = send;
    this.#check();
  }

  arrive(url) {
    this.#urls.push(url);
    this.#check();
    return this.#gate;
  }

  leave() {
    this.#settled++;
    this.#check();
  }

  #check() {
    if (this.#fired || this.#urls.length + this.#settled < this.#expected) return;
    this.#fired = true;
    this.#open(this.#urls.length > 0 ? this.#send(this.#urls) : undefined);
  }
}
