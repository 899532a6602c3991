# One image for every Samsa service (broker, controller, coordinator) and the CLI; the service
# is chosen by the command (see docker-compose.yml).
# Node 24, the current LTS line (Node 20 is past its end of life); the code still runs on Node 20.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY proto ./proto
COPY libs ./libs
COPY services ./services
COPY tools ./tools
COPY cli ./cli
RUN npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
# openssl makes the CA and certificates (dist/libs/security/issue-certs.js; docker-compose's certs).
RUN apt-get update -q && apt-get install -y -q --no-install-recommends openssl && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# proto/ is loaded at run time by @grpc/proto-loader.
COPY proto ./proto
COPY --from=build /app/dist ./dist
RUN ln -s /app/dist/cli/main.js /usr/local/bin/samsa && chmod +x /app/dist/cli/main.js \
  && mkdir -p /data /tls && chown node:node /data /tls
USER node
EXPOSE 9090 9092
CMD ["node", "--max-semi-space-size=4", "--enable-source-maps", "--import", "./dist/libs/telemetry/instrumentation.js", "dist/services/broker/main.js"]
