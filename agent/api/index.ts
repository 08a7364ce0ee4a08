/**
 * The operator API: fastify on a unix socket (mode 0660) by default, or on
 * TCP, where every request but /healthz needs `Authorization: Bearer <token>`
 * with the token kept in <stateDir>/api.token. Inputs are validated by
 * schema; every error is `{"error":{"code","message"}}`.
 *
 *   const api = createApiServer({ address: 'unix:/run/skein/skein.sock', stateDir, logger, routes: [statusRoutes(...)] })
 *   await api.start()
 */
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { dirname, join } from 'node:path'
import Fastify, { LogController, type FastifyInstance, type FastifyError } from 'fastify'
import swagger from '@fastify/swagger'
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ComponentLogger } from '../logger.ts'
import { writeFileAtomic0600 } from '../identity/index.ts'
import { SkeinError, InvalidRequestError } from '../errors.ts'
import { apiErrorFor, fastifyCodes } from './errors.ts'
import { ErrorBody } from './schemas.ts'
import { version } from '../version.ts'

export { registerApiError } from './errors.ts'

export const tokenFile = 'api.token'

export type ApiAddress = { kind: 'unix', path: string } | { kind: 'tcp', host: string, port: number }

export function parseApiAddress (address: string): ApiAddress {
  if (address.startsWith('unix:') && address.length > 5) return { kind: 'unix', path: address.slice(5) }
  const m = /^tcp:(.+):([0-9]{1,5})$/.exec(address)
  if (m != null) return { kind: 'tcp', host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) }
  throw new InvalidRequestError(`"${address}" is not an API address`, { hint: 'use unix:PATH or tcp:HOST:PORT' })
}

export interface ApiServerInit {
  address: string
  stateDir: string
  logger: ComponentLogger
  routes: FastifyPluginAsyncTypebox[]
  bodyLimit?: number
}

export class ApiServer {
  readonly app: FastifyInstance
  readonly address: ApiAddress
  private readonly init: ApiServerInit
  private token?: Buffer
  private started = false
  private listening = false
  /** the TCP port actually bound (useful with port 0) */
  port?: number

  constructor (init: ApiServerInit) {
    this.init = init
    this.address = parseApiAddress(init.address)
    const app = Fastify({
      loggerInstance: init.logger,
      logController: new LogController({ disableRequestLogging: true }),
      bodyLimit: init.bodyLimit ?? 1024 * 1024,
      routerOptions: { maxParamLength: 256 },
      return503OnClosing: true,
      forceCloseConnections: true
    }).withTypeProvider<TypeBoxTypeProvider>()
    app.setValidatorCompiler(TypeBoxValidatorCompiler)
    this.app = app as unknown as FastifyInstance
    app.addSchema(ErrorBody)

    app.setErrorHandler((err: FastifyError, req, reply) => {
      const mapped = (err instanceof SkeinError ? apiErrorFor(err.name) : undefined) ??
        (err.validation != null ? fastifyCodes.FST_ERR_VALIDATION : undefined) ??
        (err.code != null ? fastifyCodes[err.code] : undefined)
      if (mapped == null) {
        if (err.statusCode != null && err.statusCode >= 400 && err.statusCode < 500) {
          return reply.code(err.statusCode).send({ error: { code: 'SKEIN_ERR_INVALID_REQUEST', message: err.message } })
        }
        req.log.error({ err, url: req.url, method: req.method }, 'operator API request failed')
        return reply.code(500).send({ error: { code: 'SKEIN_ERR_INTERNAL', message: 'internal error; see the agent log' } })
      }
      const message = err.validation != null ? `${err.validationContext ?? 'request'}${err.message.replace(/^(body|params|querystring|headers)/, '')}` : err.message
      const hint = (err as unknown) instanceof SkeinError ? (err as unknown as SkeinError).hint : undefined
      return reply.code(mapped.statusCode).send({ error: { code: mapped.code, message, ...(hint != null ? { hint } : {}) } })
    })
    app.setNotFoundHandler((req, reply) => {
      return reply.code(404).send({ error: { code: 'SKEIN_ERR_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } })
    })
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const app = this.app
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'Skein operator API', version, description: 'Local REST API of a Skein agent. Served on a unix socket (0660) by default; on TCP every route but /healthz needs a bearer token.' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: this.address.kind === 'tcp' ? [{ bearer: [] }] : []
      }
    })
    if (this.address.kind === 'tcp') {
      this.token = await loadOrCreateToken(this.init.stateDir)
      const token = this.token
      app.addHook('onRequest', async (req, reply) => {
        if (req.url === '/healthz') return
        const header = req.headers.authorization ?? ''
        const m = /^Bearer\s+(\S+)$/i.exec(header)
        const given = m != null ? Buffer.from(m[1] as string) : undefined
        if (given == null || given.length !== token.length || !timingSafeEqual(given, token)) {
          return await reply.code(401).header('www-authenticate', 'Bearer').send({
            error: { code: 'SKEIN_ERR_UNAUTHORIZED', message: given == null ? 'this API needs a bearer token' : 'wrong bearer token' }
          })
        }
      })
    }
    for (const r of this.init.routes) await app.register(r)
    await app.ready()

    if (this.address.kind === 'unix') {
      const path = this.address.path
      await mkdir(dirname(path), { recursive: true, mode: 0o750 })
      await removeStaleSocket(path)
      await app.listen({ path })
      this.listening = true
      await chmod(path, 0o660)
    } else {
      await app.listen({ host: this.address.host, port: this.address.port })
      this.listening = true
      const addr = app.server.address()
      if (addr != null && typeof addr === 'object') this.port = addr.port
    }
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.app.close()
    // remove only a socket we made: a refused start must not take another agent's socket away
    if (this.address.kind === 'unix' && this.listening) await rm(this.address.path, { force: true })
    this.listening = false
  }
}

/** The bearer token for TCP access: made (0600) on first use, then kept. */
export async function loadOrCreateToken (stateDir: string): Promise<Buffer> {
  const path = join(stateDir, tokenFile)
  try {
    const st = await stat(path)
    if ((st.mode & 0o077) !== 0) await chmod(path, 0o600)
    const text = (await readFile(path, 'utf8')).trim()
    if (text.length >= 32) return Buffer.from(text)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = randomBytes(32).toString('base64url')
  await writeFileAtomic0600(path, `${token}\n`)
  return Buffer.from(token)
}

async function removeStaleSocket (path: string): Promise<void> {
  try {
    await stat(path)
  } catch {
    return
  }
  const inUse = await new Promise<boolean>((resolve) => {
    const s = createConnection({ path })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => { resolve(false) })
  })
  if (inUse) {
    throw new InvalidRequestError(`the API socket ${path} is in use by another process`, { hint: 'stop the other agent or choose another --api unix:PATH' })
  }
  await rm(path, { force: true })
}

export function createApiServer (init: ApiServerInit): ApiServer {
  return new ApiServer(init)
}
