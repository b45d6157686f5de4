package io.finwatch.common;
