import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client'

export interface TappedCall {
  /** The call's answer, or a progress notification under its token. */
  onMessage(message: JSONRPCMessage): void
  /** The connection closed before the answer came. */
  onClose(): void
}

type Message = JSONRPCMessage & { id?: unknown; method?: string; params?: { progressToken?: unknown } }

/**
 * Sits between a message transport (stdio) and the SDK client on it, for requests made outside
 * the SDK: their answers and progress, keyed by the request's id (which is also its progress
 * token), come here; everything else goes on to the SDK as before.
 */
export class LinkTap {
  private readonly calls = new Map<unknown, TappedCall>()

  constructor(private readonly transport: Transport) {
    const toSdk = transport.onmessage
    transport.onmessage = (message, extra) => {
      if (!this.take(message as Message)) toSdk?.call(transport, message, extra)
    }
    const closed = transport.onclose
    transport.onclose = () => {
      for (const call of this.calls.values()) call.onClose()
      this.calls.clear()
      closed?.call(transport)
    }
  }

  /** Sends a request whose answer and progress (token = id) go to `call` until `release(id)`. */
  send(id: string, message: JSONRPCMessage, call: TappedCall): Promise<void> {
    this.calls.set(id, call)
    return this.transport.send(message)
  }

  notify(message: JSONRPCMessage): Promise<void> {
    return this.transport.send(message)
  }

  release(id: string): void {
    this.calls.delete(id)
  }

  private take(message: Message): boolean {
    const key = message.method === undefined ? message.id : progressTokenOf(message)
    const call = key === undefined ? undefined : this.calls.get(key)
    call?.onMessage(message)
    return call !== undefined
  }
}

function progressTokenOf(message: Message): unknown {
  return message.method === 'notifications/progress' ? message.params?.progressToken : undefined
}
