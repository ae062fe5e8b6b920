// Preloaded into a peer that cannot be told which address to bind (node --require): every
// net.Server.listen(port, ...) without a host listens on 127.0.0.1 instead of every interface.
const net = require('node:net')

const listen = net.Server.prototype.listen
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const [first, second] = args
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof second !== 'string') args.splice(1, 0, '127.0.0.1')
  } else if (first && typeof first === 'object' && 'port' in first) {
    args[0] = { ...first, host: '127.0.0.1' }
  }
  return listen.apply(this, args)
}
