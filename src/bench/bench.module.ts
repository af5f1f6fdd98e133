import { Module } from '@nestjs/common';
import { BenchController } from './bench.controller.js';

/** The benchmark's baseline endpoint (see `BenchController`). */
@Module({ controllers: [BenchController] })
export class BenchModule {}
