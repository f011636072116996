import helper from 'node-red-node-test-helper';

/** Every message node `id` receives from now on, in order (a helper node at the end of a wire). */
export function collect<Message>(id: string): Message[] {
  const seen: Message[] = [];
  (helper.getNode(id) as unknown as { on(e: 'input', f: (m: Message) => void): void }).on('input', (msg) =>
    seen.push(msg),
  );
  return seen;
}
